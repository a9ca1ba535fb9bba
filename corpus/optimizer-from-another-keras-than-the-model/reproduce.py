"""A Keras 3 optimizer handed to a Keras 2 (tf_keras) model: compile() cannot interpret it.

Since TensorFlow 2.16 ``tf.keras`` is Keras 3, while transformers' TF models (TFAutoModel..., since transformers 4.39),
ktrain and other Keras 2 code build on the ``tf_keras`` package. ``tf.keras.optimizers.Adam(...)`` is then a Keras 3
object that tf_keras's ``optimizers.get`` does not know: ``ValueError: Could not interpret optimizer identifier:
<keras.src.optimizers.adam.Adam object at 0x...>``. A plain tf_keras model shows the same check as TFBertFor...
(whose ``compile`` calls tf_keras's ``Model.compile``); transformers 5 dropped its TF models, so none is built here.

TensorFlow is not a dependency of kbfix's test environment: ``scripts/verify.py --overlays`` installs
OVERLAY_WITH_DEPS (tensorflow with keras 3 and its dependencies) and OVERLAY (tf-keras, no dependencies).
fixed() applies fix 0: the optimizer from the model's own Keras (``tf_keras.optimizers``).
"""

import os

OVERLAY_WITH_DEPS = ("tensorflow==2.20.0",)
OVERLAY = ("tf-keras==2.20.1",)
REQUIRES = ("tensorflow", "keras", "tf_keras")
FIXES = (0,)


def _compile(optimizer_from):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras
    import tf_keras

    model = tf_keras.Sequential([tf_keras.layers.Dense(2, input_shape=(4,))])
    optimizers = keras.optimizers if optimizer_from == "keras" else tf_keras.optimizers
    model.compile(optimizer=optimizers.Adam(learning_rate=5e-5), loss="mse")
    return model


def reproduce():
    _compile("keras")      # a Keras 3 optimizer (what tf.keras.optimizers gives under TF >= 2.16)


def fixed():
    model = _compile("tf_keras")
    return f"compiled with {type(model.optimizer).__module__}.{type(model.optimizer).__name__}"
