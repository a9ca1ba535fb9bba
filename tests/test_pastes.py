"""The paste transformations (kbfix/pastes.py) that tests, evaluation and calibration apply to real cases."""

from kbfix import pastes
from kbfix import traceback as tb

TRACE = """Traceback (most recent call last):
  File "train.py", line 3, in <module>
    main()
  File "/usr/lib/python3.10/site-packages/transformers/trainer.py", line 10, in train
    self.step()
  File "/usr/lib/python3.10/site-packages/torch/nn/modules/module.py", line 20, in _call_impl
    return forward_call(*args)
  File "/usr/lib/python3.10/site-packages/torch/nn/functional.py", line 30, in linear
    return torch._C._nn.linear(input, weight)
RuntimeError: mat1 and mat2 shapes cannot be multiplied (4x8 and 16x4)"""


def test_elided_frames_hide_the_library_frames_between_the_users_and_the_raising_one_as_colab_does():
    varied = pastes.elide_frames(TRACE)
    assert varied.split("\n")[3:6] == ["2 frames", TRACE.split("\n")[7], TRACE.split("\n")[8]]
    frames = tb.parse(varied).traces[0].final.frames
    assert [f.name for f in frames] == ["<module>", "linear"]  # the user's frame and the one that raised
    assert pastes.elide_frames("RuntimeError: no frames at all") is None
