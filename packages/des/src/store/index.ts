export {
  FilterStore,
  type ItemFilter,
  PriorityItem,
  PriorityStore,
  Store,
  StoreGet,
  type StoreOptions,
  StorePut,
  type StoreState,
} from './store';
