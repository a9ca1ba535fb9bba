"""Launch facts read from the command lines in a paste."""

from kbfix.engine import launch


def test_more_ranks_than_visible_gpus_is_a_launch_fact():
    text = ("CUDA_VISIBLE_DEVICES=1,2 python -m torch.distributed.launch --nnode=1 --node_rank=0 --nproc_per_node=4 \\\n"
            "--master_addr=127.0.0.1 --master_port=5555 train.py -c config.json\n")
    assert launch.analyse(text).found["ranks_exceed_gpus"] == {"ranks": "4", "visible": "2", "devices": "1,2"}
    assert not launch.analyse("CUDA_VISIBLE_DEVICES=0,1 torchrun --nproc_per_node 2 train.py").holds("ranks_exceed_gpus")
    assert not launch.analyse("torchrun --nproc_per_node 8 train.py").holds("ranks_exceed_gpus")  # nothing says how many
    later = "torchrun --nproc_per_node 4 a.py\nexport CUDA_VISIBLE_DEVICES=0\n"  # a setting after the launch does not count
    assert not launch.analyse(later).holds("ranks_exceed_gpus")
