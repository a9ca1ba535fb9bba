"""Two tiny Qwen2 models built from configs, as a Qwen2.5-0.5B/1.5B/3B student and a 7B+ teacher are: one tokenizer,
output layers padded to different widths (vocab_size 151936 and 152064). The usual logit-distillation loss
(KL divergence of the student's log-probabilities from the teacher's probabilities, as GKD with beta 0, torchtune's
ForwardKLLoss and a Trainer subclass compute it) broadcasts the two [batch, seq, vocab] tensors and torch raises
``RuntimeError: The size of tensor a (151936) must match the size of tensor b (152064) at non-singleton dimension 2``.

fixed() applies fix 0: both logits are cut to the smaller vocab_size (the rows past the tokenizer's length are
padding) before the loss, which then backpropagates into the student.
"""

REQUIRES = ("torch", "transformers")
FIXES = (0,)

STUDENT_VOCAB = 151936   # Qwen2.5-0.5B / 1.5B / 3B
TEACHER_VOCAB = 152064   # Qwen2.5-7B / 14B / 32B / 72B


def _model(vocab_size):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    torch.manual_seed(0)
    config = Qwen2Config(vocab_size=vocab_size, hidden_size=8, intermediate_size=16, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=32,
                         tie_word_embeddings=True)
    return Qwen2ForCausalLM(config)


def _logits():
    import torch

    student, teacher = _model(STUDENT_VOCAB), _model(TEACHER_VOCAB)
    input_ids = torch.randint(0, 151665, (1, 6))      # ids the shared tokenizer can produce
    with torch.no_grad():
        teacher_logits = teacher(input_ids=input_ids).logits
    student_logits = student(input_ids=input_ids).logits
    return student, student_logits, teacher_logits


def _kd_loss(student_logits, teacher_logits, temperature=2.0):
    import torch.nn.functional as F

    return F.kl_div(F.log_softmax(student_logits / temperature, dim=-1),
                    F.softmax(teacher_logits / temperature, dim=-1), reduction="batchmean") * temperature ** 2


def reproduce():
    _, student_logits, teacher_logits = _logits()
    _kd_loss(student_logits, teacher_logits)


def fixed():
    student, student_logits, teacher_logits = _logits()
    vocab = min(student_logits.size(-1), teacher_logits.size(-1))   # fix 0
    loss = _kd_loss(student_logits[..., :vocab], teacher_logits[..., :vocab])
    loss.backward()
    grad = student.model.embed_tokens.weight.grad
    assert grad is not None and float(grad.abs().sum()) > 0
    return f"logits cut to {vocab}: KD loss {float(loss.detach()):.4f}, gradients reach the student"
