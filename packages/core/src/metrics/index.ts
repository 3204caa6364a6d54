export { createMetricsRecorder, mergeMetrics, createVariantStats, mergeVariantStats, MAX_EVENT_NAMES } from './recorder.js'
export {
  createQuantileSketch,
  addToSketch,
  mergeSketches,
  sketchQuantile,
  sketchMean,
  sketchBuckets,
  SKETCH_RELATIVE_ACCURACY,
} from './sketch.js'
export { isFailure } from './failure.js'
