"""transformers' frame sampler (``default_sample_indices_fn``, what ``load_video`` and the video processors use) asked
for 32 frames of a 24-frame video, then for ``min(32, 24)``.

Only the releases whose sampler refuses the request on the ``num_frames`` path (verified with 5.25) run it; with any
other release the test is skipped. No video file is read: the sampler only needs the video's metadata.
"""

from kbfix.reproduce import release_within

# the last module is never installed: it stands for "a transformers release whose num_frames path raises (5.25 on)"
REQUIRES = ("numpy", "transformers") + (
    () if release_within("transformers", (5, 25)) else ("kbfix_requires_transformers_5_25_or_later",))
FIXES = (0,)


def _metadata():
    from transformers.video_utils import VideoMetadata

    return VideoMetadata(total_num_frames=24, fps=8.0)  # a 3-second clip


def reproduce():
    from transformers.video_utils import default_sample_indices_fn

    # a fixed frame count for every video of the dataset (nframes / num_frames / max_num_frames = 32)
    default_sample_indices_fn(_metadata(), num_frames=32)


def fixed():
    from transformers.video_utils import default_sample_indices_fn

    metadata = _metadata()
    # fix 0: at most the frames the video has
    indices = default_sample_indices_fn(metadata, num_frames=min(32, metadata.total_num_frames))
    assert len(indices) == metadata.total_num_frames, indices
    return f"sampled {len(indices)} frames of {metadata.total_num_frames}\n"
