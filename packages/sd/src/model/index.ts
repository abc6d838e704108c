export type {
  Equation,
  EquationFunction,
  FlowOptions,
  GraphicalFunction,
  GraphicalOptions,
  GraphicalType,
  IntegrationMethod,
  SdVariableInfo,
  SimSpecs,
  SourceLocation,
  StockOptions,
  VariableOptions,
  VariableView,
} from './model';
export { SdModel } from './model';
