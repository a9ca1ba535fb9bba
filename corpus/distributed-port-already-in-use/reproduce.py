"""Hold a port the way a first run (or its leftover worker) does, then start the c10d TCPStore server that rank 0 of a
second run starts on MASTER_PORT: the real bind error. The fix gives the second run a port nobody listens on."""

REQUIRES = ("torch",)
FIXES = (0,)


def _store(port):
    import datetime

    from torch.distributed import TCPStore

    # what init_process_group(init_method="env://") does on rank 0 with MASTER_PORT=port (world_size 1, CPU only)
    return TCPStore("127.0.0.1", port, 1, True, timeout=datetime.timedelta(seconds=10))


def reproduce():
    import socket

    first_run = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    first_run.bind(("0.0.0.0", 0))
    first_run.listen(1)
    port = first_run.getsockname()[1]
    try:
        _store(port)
    finally:
        first_run.close()


def fixed():
    import socket

    first_run = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    first_run.bind(("0.0.0.0", 0))
    first_run.listen(1)
    try:
        # fix 0: another port (what torchrun --standalone / --master_port / MASTER_PORT give the second run)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("0.0.0.0", 0))
            free_port = probe.getsockname()[1]
        store = _store(free_port)
        store.set("ready", "1")
        assert store.get("ready") == b"1"
    finally:
        first_run.close()
