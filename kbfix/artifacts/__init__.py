"""What the probes read artifacts and live objects with; no probe lives here.

``target`` (what a path or object is), ``read`` (safetensors headers, configs: never tensor data),
``expect`` (a model built on the meta device), ``compare`` (classify key/shape differences),
``sizes`` (known model widths), ``training`` (training configs), ``adapter`` and ``live`` (shared
lookups).
"""
