"""The trainer (installed as magma_bench.trainer): Set-of-Mark / Trace-of-Mark data and the training loop.

Modules (pure functions unless noted; heavy imports happen inside functions):
  som        Set-of-Mark: mark candidates, overlap-free mark rendering, `Coordinate: (x, y). Mark: k`
  tracking   point trackers: OpenCV Lucas-Kanade (default), CoTracker from a local clone + checkpoint
  tom        Trace-of-Mark: homography camera-motion removal, fg/bg split, k-means marks, trace text
  videos     generated clips with known camera and object motion (ToM ground truth, video stand-in)
  tom_check  ToM validation figures (trace error px, fg/bg accuracy, frames/s)
  data       the unified chat-format Example and its per-source builders (SoM/ToM switches)
  sources    loaders for real formats (ScreenSpot suites, SeeClick JSON, RLDS-npz demos) and stand-ins
  video_files real videos for ToM: a folder of video files, Something-Something v2 (OpenCV decoding)
  open_x     Open-X-Embodiment RLDS datasets (TFDS dirs) as demonstrations, per-dataset action mapping
  tfrecord   TFRecord framing and tf.train.Example parsing with protobuf (no TensorFlow)
  mixtures   mixture YAML (configs/mixtures) -> typed dataclasses -> sampled examples
  stream     which examples micro-batch k holds (a pure function of k: exact resume), length-grouped
  vision_pretrain  stage 0: the vision tower learns dense scene labels before the decoder looks
  train      the training loop (`python -m magma_bench.trainer.train`), update_step apart
  perf       `make perf` figures
"""
