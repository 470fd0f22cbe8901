"""The generic half of portal.toml: declare a setting once, then parse, check and describe it from that.

A setting is a dataclass field made with `setting()` (a value) or `section()` (a table); its type is
the field's annotation. Fields made otherwise (a source's label, Config.path) are derived, not read.
Every message is in Chinese and names the key, and the value where there is one: a clerk reads them.
"""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Iterator
from dataclasses import MISSING, Field, field, fields, is_dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints


class ConfigError(ValueError):
    """A key of portal.toml is missing or has a value the portal cannot use."""


def setting(default: Any = MISSING, *, help: str, choices: tuple[str, ...] = (), noun: str = "",
            check: Callable[[Any], Any] | None = None, key: str = "", kinds: tuple[str, ...] = (),
            required: bool | None = None, str_as_list: bool = False) -> Any:
    """One setting. `check` returns the value (possibly tidied) or raises ValueError with the reason;
    for a list or table it is applied to each item. `choices` bound a text, a list's items or a table's
    keys (`noun` names them in messages). `kinds`: only in a table whose `kind` is one of these.
    """
    meta = {"help": help, "choices": choices, "noun": noun, "check": check, "key": key, "kinds": kinds,
            "required": default is MISSING if required is None else required, "str_as_list": str_as_list}
    if isinstance(default, dict | list):
        return field(default_factory=lambda: type(default)(default), metadata=meta)
    return field(default=default, metadata=meta)


def section(help: str, factory: Callable[[], Any] | None = None) -> Any:
    """A table of settings; its own fields say what is in it. An absent table has every default."""
    meta = {"help": help, "section": True}
    return field(metadata=meta) if factory is None else field(default_factory=factory, metadata=meta)


def declared(cls: type) -> Iterator[tuple[Field, Any]]:
    """The settings of a class (not its derived fields), each with its type."""
    hints = get_type_hints(cls)
    for f in fields(cls):
        if "help" in f.metadata:
            yield f, hints[f.name]


def toml_key(f: Field) -> str:
    return f.metadata.get("key") or f.name


def table_of(tp: Any) -> type | None:
    """The class of a table (`[x]`) or of an array of tables (`[[x]]`) of this type, else None."""
    if is_dataclass(tp):
        return tp
    args = get_args(tp)
    return args[0] if get_origin(tp) is tuple and args and is_dataclass(args[0]) else None


def parse_table(cls: type, table: Any, key: str, base: Path, **derived: Any) -> Any:
    """A table of portal.toml as a `cls`; paths relative to `base`; `derived` fills fields not read."""
    if not isinstance(table, dict):
        raise ConfigError(f"{key} = {table!r}：应为一个表 [{key}]")
    settings = list(declared(cls))
    values: dict[str, Any] = {}
    if any(f.metadata.get("kinds") for f, _ in settings):  # the keys allowed depend on `kind`: read it first
        f, tp = next(s for s in settings if s[0].name == "kind")
        values["kind"] = _value(f, tp, table, key, base)
    allowed = [s for s in settings if not s[0].metadata.get("kinds") or values["kind"] in s[0].metadata["kinds"]]
    names = sorted(toml_key(f) for f, _ in allowed)
    unknown = sorted(set(table) - set(names))
    if unknown:
        raise ConfigError(f"{_join(key, unknown[0])}：未知的配置项；可用的配置项：{'、'.join(names)}")
    for f, tp in allowed:
        if f.name not in values:
            values[f.name] = _value(f, tp, table, key, base)
    finish = getattr(cls, "finish", None)  # rules across settings: min <= max, a source's label
    if finish is not None:
        values = finish(values, table, key, base)
    return cls(**values, **derived)


def _join(key: str, name: str) -> str:
    return f"{key}.{name}" if key else name


def _value(f: Field, tp: Any, table: dict[str, Any], key: str, base: Path) -> Any:
    meta, full = f.metadata, _join(key, toml_key(f))
    if toml_key(f) not in table:
        if meta.get("section"):
            return parse_table(tp, {}, full, base)
        if meta["required"]:
            hint = f"；可选：{'、'.join(meta['choices'])}" if meta["choices"] else ""
            if table_of(tp):
                hint = f"；至少需要一个 [[{full}]] 表"
            raise ConfigError(f"{full}：缺少必填的配置项{hint}")
        default = _default(f)
        return base / default if isinstance(default, Path) else default
    if meta.get("section"):
        return parse_table(tp, table[toml_key(f)], full, base)
    return _convert(tp, table[toml_key(f)], full, meta, base)


def _default(f: Field) -> Any:
    return f.default_factory() if f.default is MISSING else f.default


def _convert(tp: Any, value: Any, key: str, meta: Any, base: Path) -> Any:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (Union, types.UnionType):
        tp = next(a for a in args if a is not type(None))
    elif origin is tuple and table_of(tp):
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise ConfigError(f"{key} = {value!r}：应为表的数组，每项写作 [[{key}]]")
        if not value and meta["required"]:
            raise ConfigError(f"{key}：至少需要一个 [[{key}]] 表")
        return tuple(parse_table(args[0], v, f"{key}[{i}]", base) for i, v in enumerate(value))
    elif origin is tuple:
        if isinstance(value, str) and meta["str_as_list"]:
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{key} = {value!r}：应为文本的列表，写作 [\"…\", \"…\"]")
        unknown = [v for v in value if meta["choices"] and v not in meta["choices"]]
        if unknown:
            allowed = "、".join(meta["choices"])
            raise ConfigError(f"{key} = {value!r}：未知的{meta['noun']} {unknown!r}；可选：{allowed}")
        return tuple(_checked(v, v, f"{key}[{i}]", meta) for i, v in enumerate(value))
    elif origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{key} = {value!r}：应为一个表 [{key}]，每行写作 {meta['noun']} = 值")
        out = {}
        for k, v in value.items():
            if meta["choices"] and k not in meta["choices"]:
                raise ConfigError(f"{key}.{k}：未知的{meta['noun']}；可选：{'、'.join(meta['choices'])}")
            out[k] = _checked(_scalar(args[1], v, f"{key}.{k}", base), v, f"{key}.{k}", meta)
        return out
    result = _scalar(tp, value, key, base)
    if meta["choices"] and result not in meta["choices"]:
        raise ConfigError(f"{key} = {value!r}：应为 {'、'.join(meta['choices'])} 之一")
    return _checked(result, value, key, meta)


def _checked(value: Any, raw: Any, key: str, meta: Any) -> Any:
    if meta["check"] is None:
        return value
    try:
        return meta["check"](value)
    except ValueError as exc:
        raise ConfigError(f"{key} = {raw!r}：{exc}") from None


_EXPECTED = {str: "应为文本", bool: "应为 true 或 false", int: "应为整数", float: "应为数字",
             Decimal: "应为不小于 0 的金额（万元），例如 0.5",
             Path: "应为文本（路径，相对于 portal.toml 所在的文件夹）"}


def _scalar(tp: type, value: Any, key: str, base: Path) -> Any:
    ok = not isinstance(value, bool) or tp is bool  # true is not the number 1 here
    if ok and tp is Decimal:  # every amount in portal.toml is money in 万元, never negative
        try:
            amount = Decimal(str(value))
            ok = amount.is_finite() and amount >= 0
        except InvalidOperation:
            ok = False
        if ok:
            return amount
    elif ok and tp is float and isinstance(value, int | float):
        return float(value)
    elif ok and isinstance(value, str if tp is Path else tp):
        return base / value if tp is Path else value
    raise ConfigError(f"{key} = {value!r}：{_EXPECTED[tp]}")


def declared_keys(cls: type, prefix: str = "") -> Iterator[tuple[str, Field, Any]]:
    """Every setting under `cls` by its full key; an array of tables' keys read `sources[].path`."""
    for f, tp in declared(cls):
        full = _join(prefix, toml_key(f))
        inner = table_of(tp)
        if inner is None:
            yield full, f, tp
        else:
            yield from declared_keys(inner, full if is_dataclass(tp) else f"{full}[]")


def show(value: Any) -> str:
    """A value as it would be written in portal.toml."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)
    if isinstance(value, tuple | list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {show(v)}" for k, v in value.items()) + " }" if value else "{}"
    return "（未设置）" if value is None else str(value)


def describe_settings(root: Any, shown: Callable[[str, Any], str] = lambda key, v: show(v)) -> str:
    """Every setting of `root` (a parsed config), table by table: key, current value, default, choices, help."""
    return "\n".join(_describe(root, type(root), "", shown))


def _describe(root: Any, cls: type, prefix: str, shown: Callable[[str, Any], str]) -> Iterator[str]:
    for f, tp in declared(cls):
        meta, key = f.metadata, _join(prefix, toml_key(f))
        inner = table_of(tp)
        if inner is not None:
            array = not is_dataclass(tp)
            yield f"# [[{key}]] {meta['help']}" if array else f"# [{key}] {meta['help']}"
            yield ""
            yield from _describe(root, inner, f"{key}[]" if array else key, shown)
            continue
        yield key + (f"  （仅用于 kind = {'、'.join(meta['kinds'])}）" if meta["kinds"] else "")
        yield f"    当前值：{_current(root, key.split('.'), meta, shown, key)}"
        yield "    默认值：无（必填）" if meta["required"] else f"    默认值：{show(_default(f))}"
        if meta["choices"]:
            yield f"    可选值：{'、'.join(meta['choices'])}"
        yield f"    说明：{meta['help']}"
        yield ""


def _current(obj: Any, parts: list[str], meta: Any, shown: Callable[[str, Any], str], key: str) -> str:
    """The value under a key's parts; each item's for an array of tables (`[0] "files"；[1] "sql"`)."""
    name, rest = parts[0], parts[1:]
    if name.endswith("[]"):
        items = _attr(obj, name[:-2])
        out = [f"[{i}] {_current(item, rest, meta, shown, key)}" for i, item in enumerate(items)]
        return "；".join(out) or "（无）"
    if not rest and meta["kinds"] and obj.kind not in meta["kinds"]:
        return "（不适用）"
    value = _attr(obj, name)
    return _current(value, rest, meta, shown, key) if rest else shown(key, value)


def _attr(obj: Any, name: str) -> Any:
    f = next(f for f, _ in declared(type(obj)) if toml_key(f) == name)
    return getattr(obj, f.name)
