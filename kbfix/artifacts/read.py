"""Read the user's artifacts without loading tensors, without changing anything, within bounds.

safetensors: the 8-byte length and the JSON header, parsed and checked here. ``.bin``/``.pt``/``.pth``:
the zip directory is checked first (no entry may declare more bytes than the archive holds, the
pickle is capped), then ``torch.load(weights_only=True, mmap=True, map_location="meta")`` only.
Configs: JSON and YAML, size-capped; YAML aliases may not expand past a small bound.
Files are read only inside the artifact: a link that leads out of it is not followed (:func:`member`).
What cannot be read raises an :class:`~kbfix.artifacts.refuse.Unreadable` whose message names the
reason and never quotes the file's bytes. Results are cached by path, size and modification time, so
several probes share one read.
"""

from __future__ import annotations

import functools
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

from kbfix.artifacts.refuse import MissingExtra, Unreadable

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".ckpt")
LFS_MAGIC = b"version https://git-lfs"
MAX_HEADER = 100_000_000  # safetensors refuses larger headers (HeaderTooLarge)
MAX_CONFIG_BYTES = 4 << 20  # config.json, adapter_config.json, training configs: a few KB in practice
MAX_INDEX_BYTES = 16 << 20  # *.index.json: about 8 MB for the largest sharded checkpoints (90k tensors)
MAX_YAML_BYTES = 1 << 20
MAX_YAML_NODES = 10_000  # values after expanding aliases; real training configs hold under a thousand
MAX_DEPTH = 64  # nesting of YAML collections
MAX_PICKLE = 4 << 20  # data.pkl of a torch.save archive: ~100 bytes a tensor, unpickled at ~1 MB/s
MAX_ZIP_ENTRIES = 100_000  # one per storage, plus a few
INDEX_NAMES = ("model.safetensors.index.json", "pytorch_model.bin.index.json")
# Files a Trainer checkpoint folder holds beside the weights.
_NOT_WEIGHTS = ("optimizer.", "scheduler.", "scaler.", "rng_state", "training_args.", "adapter_")
_STATE_DICT_KEYS = ("state_dict", "model_state_dict", "model", "module", "params")
# Names kbfix reads in a folder: a link among them that leads out of the artifact is reported.
READ_NAMES = ("config.json", "adapter_config.json", "_METADATA", *INDEX_NAMES)


class HeaderError(Unreadable):
    """A safetensors header that the safetensors library would refuse; the message names why."""

    kind = "safetensors-header-unreadable"


class ConfigError(Unreadable):
    """A JSON or YAML file that is not a readable config: invalid, not UTF-8, too large or too deep."""

    kind = "config-unreadable"


class ArchiveError(Unreadable):
    """A torch weights file kbfix will not unpickle: a zip bomb, an oversized pickle, non-tensor objects."""

    kind = "weights-archive-refused"


class Outside(Unreadable):
    """A path inside an artifact that leads out of it (a symbolic link, ``..`` in a shard name)."""

    kind = "link-outside-artifact"


@dataclass(frozen=True)
class Header:
    shapes: dict[str, tuple[int, ...]]
    dtypes: dict[str, str]
    metadata: dict[str, str]
    header_len: int
    data_end: int  # the end of the last tensor's bytes, relative to the data section
    file_size: int

    @property
    def expected_size(self) -> int:
        return 8 + self.header_len + self.data_end

    @property
    def truncated(self) -> bool:
        return self.file_size < self.expected_size


@dataclass(frozen=True)
class StateDict:
    """Tensor names and shapes of one weights file."""

    shapes: dict[str, tuple[int, ...]]
    nested_under: str | None = None  # "state_dict" for checkpoints that wrap the weights
    extras: tuple[str, ...] = field(default=())  # other top-level keys (epoch, optimizer, ...)


def clear_caches() -> None:
    for cached in (_json, _yaml, _header, _torch_state_dict):
        cached.cache_clear()


def _stamp(path: Path) -> tuple[str, int, int]:
    stat = path.stat()
    return str(path.resolve()), stat.st_size, stat.st_mtime_ns


# --- staying inside the artifact ----------------------------------------------------------------

def root_of(folder: Path) -> Path:
    """The folder links may lead into: the folder itself, or for a Hugging Face cache snapshot
    (``models--org--name/snapshots/<rev>``, whose files link to ``../../blobs``) the repository folder."""
    resolved = Path(folder).resolve()
    if resolved.parent.name == "snapshots" and resolved.parent.parent.name.startswith(("models--", "datasets--")):
        return resolved.parent.parent
    return resolved


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` (after following every link) stays inside ``folder``'s artifact."""
    return Path(path).resolve().is_relative_to(root_of(folder))


def member(folder: Path, name: str) -> Path:
    """``folder / name``, refused (:class:`Outside`) when it leads out of the artifact."""
    path = Path(folder) / name
    if not inside(path, folder):
        raise Outside("it leads out of the artifact; kbfix does not follow it",
                      zh="它指向产物之外；kbfix 不跟随它", subject=str(path))
    return path


def escaping(folder: Path) -> list[Path]:
    """Files kbfix would read in ``folder`` that are links out of the artifact (never followed)."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_symlink() and (p.name in READ_NAMES or is_weight_file(p)) and not inside(p, folder))


def _files(folder: Path) -> list[Path]:
    return [p for p in Path(folder).iterdir() if p.is_file() and inside(p, folder)]


# --- configs --------------------------------------------------------------------------------------

def _bounded_text(path: Path, size: int, limit: int) -> str:
    if size > limit:
        raise ConfigError(f"{size} bytes, more than the {limit >> 20} MB kbfix reads from a config",
                          zh=f"{size} 字节，超过 kbfix 读取配置文件的上限 {limit >> 20} MB", subject=str(path))
    try:
        with open(path, "rb") as f:
            raw = f.read(limit + 1)
    except OSError as exc:
        raise ConfigError(f"cannot open it ({exc.strerror or type(exc).__name__})",
                          zh=f"无法打开（{exc.strerror or type(exc).__name__}）", subject=str(path)) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (invalid byte at offset {exc.start})",
                          zh=f"不是 UTF-8 文本（偏移 {exc.start} 处的字节无效）", subject=str(path)) from None


def json_file(path: Path, *, limit: int = MAX_CONFIG_BYTES) -> object:
    """A JSON file's value; :class:`ConfigError` when it is not readable JSON within the bounds."""
    return _raise(_json(*_stamp(Path(path)), limit), path)


def _raise(found, path: Path):
    """A cached read's value; a cached refusal is raised about ``path`` as the caller named it."""
    if isinstance(found, Unreadable):
        raise found.about(str(path))
    return found


@functools.lru_cache(maxsize=256)
def _json(path: str, size: int, mtime: int, limit: int) -> object:
    text = _bounded_text(Path(path), size, limit)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return ConfigError(f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}",
                           zh=f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}", subject=path)
    except RecursionError:
        return ConfigError("nested too deeply to read", zh="嵌套层数过深，无法读取", subject=path)
    except ValueError as exc:  # an integer past Python's 4300-digit limit
        return ConfigError(f"not readable JSON: {str(exc).split(':')[0]}",
                           zh=f"无法读取的 JSON：{str(exc).split(':')[0]}", subject=path)


def config_file(path: Path) -> object:
    """Read a JSON or YAML config (YAML with the safe loader, bounded; no Python tags)."""
    path = Path(path)
    if path.suffix == ".json":
        return json_file(path)
    return _raise(_yaml(*_stamp(path)), path)


@functools.lru_cache(maxsize=64)
def _yaml(path: str, size: int, mtime: int) -> object:
    try:
        import yaml
    except ImportError:  # PyYAML is a dependency of kbfix; a broken install still says so clearly
        return ConfigError("PyYAML is not installed: pip install pyyaml", subject=path)
    text = _bounded_text(Path(path), size, MAX_YAML_BYTES)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        _check_yaml(yaml, yaml.parse(text, Loader=loader), path)
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader: plain data, no tags that run code
    except ConfigError as exc:
        return exc
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = (exc.problem or exc.context or "invalid YAML").split("\n")[0]
        if isinstance(exc, yaml.constructor.ConstructorError):
            problem = "a tag kbfix does not construct (only plain YAML data is read)"
        return ConfigError(f"not valid YAML: {problem}{where}", zh=f"不是有效的 YAML：{problem}{where}", subject=path)
    except (yaml.YAMLError, RecursionError) as exc:
        return ConfigError(f"not valid YAML ({type(exc).__name__})", zh=f"不是有效的 YAML（{type(exc).__name__}）",
                           subject=path)


def _check_yaml(yaml, events, path: str) -> None:
    """Refuse YAML that nests past MAX_DEPTH or expands past MAX_YAML_NODES through aliases.

    Runs over the parser's events, before anything is built: the size of each anchored node is
    counted once, and an alias adds that size, so "billion laughs" are caught in linear time.
    """
    sizes: dict[str, int | None] = {}  # anchor -> expanded size (None while the node is still open)
    open_nodes: list[list] = []  # [size so far, anchor]
    total = 0
    for event in events:
        if isinstance(event, yaml.CollectionStartEvent):
            if len(open_nodes) >= MAX_DEPTH:
                raise ConfigError(f"nested more than {MAX_DEPTH} levels deep",
                                  zh=f"嵌套超过 {MAX_DEPTH} 层", subject=path)
            if event.anchor:
                sizes[event.anchor] = None
            open_nodes.append([1, event.anchor])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            size, anchor = open_nodes.pop()
        elif isinstance(event, yaml.ScalarEvent):
            size, anchor = 1, event.anchor
        elif isinstance(event, yaml.AliasEvent):
            anchor = None
            size = sizes.get(event.anchor)
            if size is None:
                why = "refers to a node that contains it" if event.anchor in sizes else "names no anchor"
                raise ConfigError(f"an alias {why}", zh="别名引用了包含它自身的节点或不存在的锚点", subject=path)
        else:
            continue
        if anchor:
            sizes[anchor] = size
        if open_nodes:
            open_nodes[-1][0] += size
        total += size if not open_nodes else 0
        if total > MAX_YAML_NODES or (open_nodes and open_nodes[-1][0] > MAX_YAML_NODES):
            raise ConfigError(f"expands to more than {MAX_YAML_NODES} values through aliases",
                              zh=f"通过别名展开后超过 {MAX_YAML_NODES} 个值", subject=path)


def lfs_pointer(path: Path) -> dict[str, str] | None:
    """The fields of a git-lfs pointer file (version, oid, size), or ``None`` for a real file."""
    path = Path(path)
    if path.stat().st_size > 1024:
        return None
    with open(path, "rb") as f:
        head = f.read(1024)
    if not head.startswith(LFS_MAGIC):
        return None
    fields = dict(line.split(" ", 1) for line in head.decode("utf-8", "replace").splitlines() if " " in line)
    return fields


# --- safetensors ----------------------------------------------------------------------------------

def safetensors_header(path: Path) -> Header:
    return _raise(_header(*_stamp(Path(path))), path)


@functools.lru_cache(maxsize=1024)
def _header(path: str, size: int, mtime: int) -> Header | HeaderError:
    try:
        return _parse_header(path, size)
    except HeaderError as refused:
        return refused


def _parse_header(path: str, size: int) -> Header:
    def refuse(reason: str, zh: str) -> HeaderError:
        return HeaderError(reason, zh=zh, subject=path)

    with open(path, "rb") as f:
        head = f.read(8)
        if len(head) < 8:
            raise refuse(f"HeaderTooSmall: the file has {len(head)} bytes", f"HeaderTooSmall：文件只有 {len(head)} 字节")
        length = int.from_bytes(head, "little")
        if length > MAX_HEADER:  # the value itself is 8 bytes of the file: never shown
            raise refuse(f"HeaderTooLarge: the first 8 bytes declare a header of more than {MAX_HEADER} bytes",
                         f"HeaderTooLarge：前 8 个字节声明的 header 超过 {MAX_HEADER} 字节")
        if 8 + length > size:
            raise refuse(f"InvalidHeaderLength: the header runs past the end of the {size}-byte file",
                         f"InvalidHeaderLength：header 超出了 {size} 字节的文件末尾")
        raw = f.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise refuse(f"InvalidHeaderDeserialization: not UTF-8 (invalid byte at offset {exc.start})",
                     f"InvalidHeaderDeserialization：不是 UTF-8（偏移 {exc.start} 处的字节无效）") from None
    except json.JSONDecodeError as exc:
        raise refuse(f"InvalidHeaderDeserialization: not JSON ({exc.msg} at offset {exc.pos})",
                     f"InvalidHeaderDeserialization：不是 JSON（偏移 {exc.pos}：{exc.msg}）") from None
    except (RecursionError, ValueError):
        raise refuse("InvalidHeaderDeserialization: nested too deeply or an oversized number",
                     "InvalidHeaderDeserialization：嵌套过深或数字过大") from None
    if not isinstance(header, dict):
        raise refuse("InvalidHeaderDeserialization: the header is not a JSON object",
                     "InvalidHeaderDeserialization：header 不是 JSON 对象")
    metadata = header.pop("__metadata__", None) or {}
    if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
        raise refuse("InvalidHeaderDeserialization: __metadata__ is not a map of strings",
                     "InvalidHeaderDeserialization：__metadata__ 不是字符串到字符串的映射")
    shapes, dtypes, end = {}, {}, 0
    for number, (name, info) in enumerate(header.items(), 1):
        problem = _tensor_info_problem(info)
        if problem:
            raise refuse(f"InvalidHeaderDeserialization: tensor {number} of {len(header)} {problem}",
                         f"InvalidHeaderDeserialization：第 {number} 个张量（共 {len(header)} 个）的字段类型错误：{problem}")
        shapes[name] = tuple(info["shape"])
        dtypes[name] = info["dtype"]
        end = max(end, info["data_offsets"][1])
    return Header(shapes, dtypes, dict(metadata), length, end, size)


def _tensor_info_problem(info: object) -> str | None:
    """What is wrong with one tensor's entry (dtype string, shape and data_offsets of integers >= 0)."""
    def counts(value: object) -> bool:
        return isinstance(value, list) and all(type(v) is int and v >= 0 for v in value)

    if not isinstance(info, dict):
        return "is not a JSON object"
    if not isinstance(info.get("dtype"), str):
        return "has no dtype string"
    if not counts(info.get("shape")):
        return "has no shape of non-negative integers"
    offsets = info.get("data_offsets")
    if not counts(offsets) or len(offsets) != 2 or offsets[0] > offsets[1]:
        return "has no data_offsets [begin, end] of non-negative integers"
    return None


# --- pickled torch files --------------------------------------------------------------------------

def state_dict(path: Path) -> StateDict:
    """Names and shapes of the tensors in one weights file, read without loading tensor data."""
    path = Path(path)
    if path.suffix == ".safetensors":
        return StateDict(safetensors_header(path).shapes)
    return _raise(_torch_state_dict(*_stamp(path)), path)


def check_archive(path: Path) -> None:
    """Refuse a torch weights file whose unpickling would not stay small (:class:`ArchiveError`).

    A ``torch.save`` zip archive stores every record uncompressed: no entry may declare more bytes
    than the archive holds or lie past its end, and the pickle (``data.pkl``) is capped at MAX_PICKLE.
    A legacy (pre-zip) file is read whole by torch, so it is capped at MAX_PICKLE too. Reads only the
    zip directory.
    """
    import zipfile

    size = Path(path).stat().st_size

    def refuse(reason: str, zh: str) -> ArchiveError:
        return ArchiveError(reason, zh=zh, subject=str(path), facts={"file": Path(path).name, "size": size})

    with open(path, "rb") as f:
        is_zip = f.read(2) == b"PK"
    if not is_zip:
        if size > MAX_PICKLE:
            raise refuse(f"a legacy (pre-zip) torch file of {size} bytes: torch would read it whole; "
                         f"kbfix reads such files up to {MAX_PICKLE >> 20} MB",
                         f"旧格式（非 zip）的 torch 文件，{size} 字节：torch 会整个读入；kbfix 只读取 {MAX_PICKLE >> 20} MB 以内的此类文件")
        return
    entries = _zip_entry_count(path)
    if entries is not None and entries > MAX_ZIP_ENTRIES:
        raise refuse(f"the archive lists {entries} entries (kbfix reads up to {MAX_ZIP_ENTRIES})",
                     f"归档列出了 {entries} 个条目（kbfix 最多读取 {MAX_ZIP_ENTRIES} 个）")
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a readable zip: torch.load says why, weights_readable tells a truncated file
    declared = 0
    for info in infos:
        declared += info.file_size
        if info.file_size > size or declared > size:
            raise refuse(f"its entries declare {max(declared, info.file_size)} bytes in a {size}-byte file "
                         "(a zip bomb: torch.save stores records uncompressed)",
                         f"其条目声明了 {max(declared, info.file_size)} 字节，而文件只有 {size} 字节"
                         "（zip 炸弹：torch.save 存储的记录不压缩）")
        if info.header_offset + info.compress_size > size:
            raise refuse("an entry lies past the end of the file", "有条目超出了文件末尾")
        if info.filename.endswith(".pkl") and info.file_size > MAX_PICKLE:
            raise refuse(f"its pickle is {info.file_size} bytes; kbfix unpickles up to {MAX_PICKLE >> 20} MB",
                         f"其 pickle 有 {info.file_size} 字节；kbfix 最多反序列化 {MAX_PICKLE >> 20} MB")


def _zip_entry_count(path: Path) -> int | None:
    """The entry count the zip's end-of-central-directory record declares (zip64 aware); None if absent."""
    size = Path(path).stat().st_size
    with open(path, "rb") as f:
        f.seek(max(0, size - 65_557))
        tail = f.read()
        end = tail.rfind(b"PK\x05\x06")
        if end < 0 or end + 22 > len(tail):
            return None
        count = struct.unpack_from("<H", tail, end + 10)[0]
        locator = end - 20
        if count != 0xFFFF or locator < 0 or tail[locator:locator + 4] != b"PK\x06\x07":
            return count
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        if offset + 56 > size:
            return None
        f.seek(offset)
        record = f.read(56)
    if record[:4] != b"PK\x06\x06":
        return None
    return struct.unpack_from("<Q", record, 32)[0]


@functools.lru_cache(maxsize=64)
def _torch_state_dict(path: str, size: int, mtime: int) -> StateDict | ArchiveError:
    try:
        return _load_state_dict(path, size)
    except ArchiveError as refused:
        return refused


def _load_state_dict(path: str, size: int) -> StateDict:
    check_archive(Path(path))
    try:
        import torch
    except ImportError:
        raise MissingExtra("inspect", f"reading {Path(path).name} (a pickled torch file)", "torch",
                           zh_what=f"读取 {Path(path).name}（pickle 格式的 torch 文件）") from None
    try:
        try:
            loaded = torch.load(path, map_location="meta", weights_only=True, mmap=True)
        except RuntimeError as exc:
            if "mmap" not in str(exc):
                raise
            # The legacy (pre-zipfile) format cannot be memory-mapped; still no unpickling of code.
            loaded = torch.load(path, map_location="meta", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - whatever torch.load refuses becomes one clean finding
        reason, zh = _load_failure(exc)
        raise ArchiveError(reason, zh=zh, subject=path, facts={"file": Path(path).name, "size": size}) from None
    return _unwrap(loaded, torch.Tensor)


def _load_failure(exc: Exception) -> tuple[str, str]:
    """Why ``torch.load(weights_only=True)`` refused a file, without torch's advice to turn that off."""
    text = str(exc)
    marker = "WeightsUnpickler error:"
    if marker in text:
        detail = text.split(marker, 1)[1].strip().split("\n")[0].strip()
        detail = detail.split(" was not an allowed global")[0][:200]
        return (f"it holds more than tensors ({detail}); kbfix unpickles tensors only and never runs code "
                "from a checkpoint",
                f"其中不只是张量（{detail}）；kbfix 只反序列化张量，从不执行 checkpoint 中的代码")
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    first = first[:200]
    return (f"torch.load(weights_only=True) cannot read it: {type(exc).__name__}: {first}",
            f"torch.load(weights_only=True) 无法读取：{type(exc).__name__}: {first}")


def _unwrap(loaded: object, tensor_type: type) -> StateDict:
    if not isinstance(loaded, dict):
        raise ArchiveError(f"expected a dict of tensors, found {type(loaded).__name__}",
                           zh=f"应为张量字典，实际是 {type(loaded).__name__}")
    tensors = {k: tuple(v.shape) for k, v in loaded.items() if isinstance(v, tensor_type)}
    if tensors:
        return StateDict(tensors)
    for key in _STATE_DICT_KEYS:
        inner = loaded.get(key)
        if isinstance(inner, dict):
            shapes = {k: tuple(v.shape) for k, v in inner.items() if isinstance(v, tensor_type)}
            if shapes:
                return StateDict(shapes, key, tuple(str(k) for k in loaded if k != key))
    keys = sorted(map(str, loaded))[:10]
    raise ArchiveError(f"no tensors found; top-level keys: {keys}", zh=f"没有找到张量；顶层键：{keys}")


# --- folders --------------------------------------------------------------------------------------

def is_weight_file(path: Path) -> bool:
    return path.suffix.lower() in WEIGHT_SUFFIXES


def full_weight_files(folder: Path) -> list[Path]:
    """Model weight files of a folder: not adapters, optimizer states or Trainer extras (nor links out)."""
    return sorted(p for p in _files(folder) if is_weight_file(p) and not p.name.startswith(_NOT_WEIGHTS))


def adapter_weight_files(folder: Path) -> list[Path]:
    return sorted(p for p in _files(folder) if p.name.startswith("adapter_model."))


def index_file(folder: Path) -> Path | None:
    for name in INDEX_NAMES:
        path = Path(folder) / name
        if path.is_file() and inside(path, folder):
            return path
    return None


def weight_map(index: Path) -> dict[str, str]:
    data = json_file(index, limit=MAX_INDEX_BYTES)
    if not isinstance(data, dict) or not isinstance(data.get("weight_map"), dict):
        raise ConfigError(f"{index.name} has no weight_map", zh=f"{index.name} 没有 weight_map", subject=str(index))
    found = data["weight_map"]
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in found.items()):
        raise ConfigError(f"{index.name}: weight_map is not a map of names to shard files",
                          zh=f"{index.name}：weight_map 不是张量名到分片文件名的映射", subject=str(index))
    return found


def resolve_model(name_or_path: str, near: Path | None = None) -> Path | None:
    """A local folder holding ``name_or_path``'s config.json: the path itself, or the HF hub cache.

    Never downloads. ``near`` is the folder of the file that named the model (relative paths).
    """
    if not name_or_path:
        return None
    candidates = [Path(name_or_path).expanduser()]
    if near is not None:
        candidates.append(near / name_or_path)
    for candidate in candidates:
        if (candidate / "config.json").is_file() or (candidate / "adapter_config.json").is_file():
            return candidate
    if name_or_path.count("/") != 1:
        return None
    hub = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", os.path.expanduser("~/.cache/huggingface")), "hub")
    snapshots = Path(hub) / f"models--{name_or_path.replace('/', '--')}" / "snapshots"
    if not snapshots.is_dir():
        return None
    found = [s for s in snapshots.iterdir() if (s / "config.json").is_file()]
    return max(found, key=lambda s: s.stat().st_mtime) if found else None
