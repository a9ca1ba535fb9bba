"""A Trainer's arguments and model config logged as MLflow parameters, one of them (a 400-label classifier's
``id2label``) longer than mlflow's ``MAX_PARAM_VAL_LENGTH``, into a local file store (no server, no network).

reproduce(): the parameters are logged the way ``MLflowCallback.setup`` of transformers before 4.4 logged them
(``args.to_dict()`` merged with ``model.config.to_dict()``, sent in batches of 100 with ``mlflow.log_params`` and no
length check): the real mlflow client raises ``MlflowException: Param value '...' had length N, which exceeded length
limit of 500`` (6000 from mlflow 2.8). transformers 4.3 cannot be imported next to this environment's tokenizers, so
the old callback's call is made here, on the real objects, with the real mlflow.
fixed(): fix 0, the transformers upgrade: the installed transformers (>= 4.4) trains one step with
``report_to="mlflow"`` into the same kind of store; its ``MLflowCallback`` drops the over-long values with a warning.

mlflow 2.11 and later truncate long values instead of raising, and the installed transformers' callback needs mlflow 2.x,
so this runs with an mlflow 2.0-2.10 client; where another one (or none) is found the test skips it. Verified with the
OVERLAY below (mlflow-skinny 2.7.1 and the packages its import needs, without their dependencies).
"""

from kbfix.reproduce import failed, run_script, succeeded


def _mlflow_release():
    """The release of the mlflow distribution that ``import mlflow`` finds first, or None."""
    import importlib.util
    import os
    from importlib.metadata import distributions

    spec = importlib.util.find_spec("mlflow")
    if spec is None or not spec.origin:
        return None
    folder = os.path.dirname(os.path.dirname(spec.origin))
    for dist in distributions(path=[folder]):
        if (dist.metadata["Name"] or "").lower() in ("mlflow", "mlflow-skinny"):
            parts = dist.version.split(".")[:2]
            return tuple(int(p) for p in parts) if all(p.isdigit() for p in parts) else None
    return None


def _mlflow_fits():
    release = _mlflow_release()
    return release is None or (2, 0) <= release < (2, 11)


# releases this reproducer is verified with where the environment lacks them (scripts/verify.py --overlays)
OVERLAY = ("mlflow-skinny==2.7.1", "protobuf==3.20.3", "entrypoints==0.4", "databricks-cli==0.17.3", "tabulate==0.9.0",
           "six==1.16.0", "oauthlib==3.2.2", "setuptools==69.5.1", "importlib_metadata==6.8.0", "zipp==3.17.0",
           "pytz==2023.3", "sqlparse==0.4.4")
# (no dots in these names: REQUIRES entries are looked up with importlib.util.find_spec)
REQUIRES = ("torch", "transformers", "accelerate", "mlflow") + (
    () if _mlflow_fits() else ("kbfix_requires_mlflow_2_0_to_2_10",))
FIXES = (0,)

SETUP = r'''
import os, sys, tempfile
work = tempfile.mkdtemp()
os.environ.update(HF_HUB_OFFLINE="1", MLFLOW_TRACKING_URI="file://" + os.path.join(work, "mlruns"))
import torch
from transformers import BertConfig, BertForSequenceClassification, TrainingArguments

labels = {i: f"LABEL_CATEGORY_{i}" for i in range(400)}
config = BertConfig(vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
                    max_position_embeddings=32, num_labels=len(labels), id2label=labels,
                    label2id={name: i for i, name in labels.items()})
model = BertForSequenceClassification(config)
args = TrainingArguments(output_dir=os.path.join(work, "out"), use_cpu=True, disable_tqdm=True, report_to=REPORT,
                         max_steps=1, per_device_train_batch_size=2, save_strategy="no")
import mlflow
print("mlflow", mlflow.__version__, "MAX_PARAM_VAL_LENGTH", mlflow.utils.validation.MAX_PARAM_VAL_LENGTH, flush=True)
'''

OLD_CALLBACK = SETUP.replace("REPORT", '"none"') + r'''
# MLflowCallback.setup of transformers < 4.4: every argument and config entry, in batches of 100, unchecked
combined = {**args.to_dict(), **model.config.to_dict()}
items = list(combined.items())
mlflow.start_run()
for i in range(0, len(items), 100):
    mlflow.log_params(dict(items[i:i + 100]))
print("logged", len(items), "parameters")
'''

NEW_CALLBACK = SETUP.replace("REPORT", '"mlflow"') + r'''
from transformers import Trainer

class Rows(torch.utils.data.Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return {"input_ids": torch.tensor([1, 5, 7, 2]), "labels": torch.tensor(i)}

Trainer(model=model, args=args, train_dataset=Rows()).train()
run = mlflow.search_runs(search_all_experiments=True).iloc[0]
print("trained; logged", sum(1 for c in run.index if c.startswith("params.")), "parameters to", run["run_id"])
'''


def reproduce():
    return failed(run_script(OLD_CALLBACK, timeout=400))


def fixed():
    return succeeded(run_script(NEW_CALLBACK, timeout=400), "trained; logged")
