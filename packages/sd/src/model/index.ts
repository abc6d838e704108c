export type {
  DimensionDef,
  Equation,
  EquationDef,
  EquationFunction,
  FlowOptions,
  GraphicalFunction,
  GraphicalOptions,
  GraphicalType,
  IntegrationMethod,
  SimSpecs,
  SourceLocation,
  StockOptions,
  VariableDef,
  VariableOptions,
  VariableView,
} from './model';
export { SdModel } from './model';
