"""A training config names ``dataset: my_data``, a dataset registered in LLaMA-Factory's own ``data/dataset_info.json``,
but the run starts from another project folder that has a ``data/dataset_info.json`` of its own without that key.
``dataset_dir`` defaults to the RELATIVE folder ``data``, so LLaMA-Factory's ``get_dataset_list`` reads the wrong file
and raises its real ``ValueError: Undefined dataset my_data in dataset_info.json.``
fixed() applies fix 0 (``dataset_dir`` set to the absolute folder that holds the registered key) and, apart, fix 1
(the dataset registered in the ``dataset_info.json`` that is read): both resolve ``my_data`` to its file.

Only local files in temporary folders; nothing is downloaded. LLaMA-Factory checks its dependency versions when some
of its modules are imported, so this runs in an overlay of the releases it was verified with (0.9.3 and the
transformers / peft / trl / datasets / accelerate it accepts); elsewhere the test skips it.
"""

import json
import os
import tempfile

from kbfix.reproduce import LLAMAFACTORY_OVERLAY, llamafactory_requires

# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = LLAMAFACTORY_OVERLAY
# llamafactory >= 0.8 (the package name since; get_dataset_list in data/parser.py); verified with 0.9.3
REQUIRES = llamafactory_requires(("torch", "transformers", "datasets", "peft", "trl", "llamafactory"), (0, 8), (4, 41))
FIXES = (0, 1)

ENTRY = {"file_name": "my_data.json", "columns": {"prompt": "instruction", "query": "input", "response": "output"}}


def _folders():
    """LLaMA-Factory's data folder (my_data registered) and another project whose own data/ lacks the key."""
    root = tempfile.mkdtemp()
    factory_data = os.path.join(root, "LLaMA-Factory", "data")
    project = os.path.join(root, "my_project")
    for folder, info in ((factory_data, {"alpaca_en_demo": {"file_name": "alpaca_en_demo.json"}, "my_data": ENTRY}),
                         (os.path.join(project, "data"), {"identity": {"file_name": "identity.json"}})):
        os.makedirs(folder)
        with open(os.path.join(folder, "dataset_info.json"), "w", encoding="utf-8") as f:
            json.dump(info, f)
        with open(os.path.join(folder, "my_data.json"), "w", encoding="utf-8") as f:
            json.dump([{"instruction": "Say hi.", "input": "", "output": "Hi."}], f)
    return factory_data, project


def _resolve(dataset_dir, start_in):
    """LLaMA-Factory's lookup of the config's dataset names, run from the folder the user starts in."""
    from llamafactory.data.parser import get_dataset_list

    os.environ["HF_HUB_OFFLINE"] = "1"
    here = os.getcwd()
    os.chdir(start_in)
    try:
        return get_dataset_list(["my_data"], dataset_dir)
    finally:
        os.chdir(here)


def reproduce():
    _, project = _folders()
    _resolve("data", project)                 # the default dataset_dir, read from the wrong working directory


def fixed():
    factory_data, project = _folders()
    # fix 0: dataset_dir is the absolute folder that holds dataset_info.json with the key
    (attr,) = _resolve(factory_data, project)
    assert attr.load_from == "file" and attr.dataset_name == "my_data.json", attr
    # fix 1: register the dataset in the dataset_info.json that is read
    info_path = os.path.join(project, "data", "dataset_info.json")
    with open(info_path, encoding="utf-8") as f:
        info = json.load(f)
    info["my_data"] = ENTRY
    with open(info_path, "w", encoding="utf-8") as f:
        json.dump(info, f)
    (attr,) = _resolve("data", project)
    assert attr.load_from == "file" and attr.dataset_name == "my_data.json", attr
