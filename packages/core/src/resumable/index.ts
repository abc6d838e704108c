export {
  type PhaseBody,
  type PhaseResult,
  type PhaseRun,
  type PhaseSpec,
  type Phases,
  ResumableGroup,
  type ResumableGroupState,
  ResumableProcess,
  type ResumableState,
  type TimedWait,
} from './resumable';
