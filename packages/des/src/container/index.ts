export {
  Container,
  ContainerGet,
  type ContainerOptions,
  ContainerPut,
  type ContainerState,
} from './container';
