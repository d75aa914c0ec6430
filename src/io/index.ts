/** Checkpoints: safetensors files, written atomically. */
export { writeFileAtomic, temporaryName } from './atomic';
export type { AtomicData } from './atomic';
export { CheckpointError } from './errors';
export {
  loadInto, loadSafetensors, parseSafetensors, saveSafetensors, serializeSafetensors,
} from './safetensors';
export type { LoadedCheckpoint, LoadIntoOptions, LoadIntoResult, LoadOptions } from './safetensors';
