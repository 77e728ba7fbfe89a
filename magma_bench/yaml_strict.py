"""YAML for configs (sweeps, training mixtures): safe loading, and a duplicate key is an error
naming the file and line — a typo must not silently change what runs.

Booleans are the spellings the CLI accepts (true/false, yes/no in any of YAML's cases): YAML 1.1's
`on`/`off` stay strings, so the typed checks reject them where a bool is wanted instead of a
stray `on` turning a switch on."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from magma_bench.errors import UserError


def load_yaml_strict(text: str, path: str | Path) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    bool_tag = "tag:yaml.org,2002:bool"
    Loader.yaml_implicit_resolvers = {
        ch: [(tag, rx) for tag, rx in rs if tag != bool_tag] for ch, rs in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    Loader.add_implicit_resolver(bool_tag, re.compile(r"^(?:true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO)$"),
                                 list("tTfFyYnN"))

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict:
        seen = set()
        for key_node, _ in node.value:
            key = loader.construct_object(key_node, deep=deep)
            if key in seen:
                raise UserError(f"{path}:{key_node.start_mark.line + 1}: duplicate key {key!r}")
            seen.add(key)
        return yaml.SafeLoader.construct_mapping(loader, node, deep)

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        raise UserError(f"{path}: not valid YAML ({e})") from None
