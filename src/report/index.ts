/** Showing and saving results: files, run folders, progress, metrics, plots, image grids, summaries. */

export * from './files';
export * from './rundir';
export * from './progress';
export * from './metrics';
export * from './plot';
export * from './image';
export * from './summary';
export * from './timing';
