"""Generate the Python module of a compiled flow (and of the flows it calls).

The module builds the flow as runtime.flowspec objects: one section per task, holding its
compiled templates (Python functions made by compiler/expr/to_python.py) and its
properties, each line commented with where it comes from in the flow file. Literals only
ever appear through repr(); user ids only as string constants; the names the module
defines are numbered (`_task3`, `_t7`). The same flows give the same bytes.
"""
from __future__ import annotations

from ..expr.parser import TemplateSyntaxError, parse
from ..expressions import has_template
from ..expr.to_python import Compiler
from ..model import Flow, Plugin
from ..registry import is_dynamic
from ..source import Mapping, Node, Sequence, to_data
from .writer import Writer, comment

# properties Kestra renders keeping the value's type
TYPED = {("io.kestra.plugin.core.kv.Set", "value")}
WANTS = ("integer", "number", "boolean", "array", "object")
NOT_PROPS = ("id", "type", "description")
SLA_SCHEMA = {"items": {"properties": {"assert": {"$dynamic": True}}}}  # an SLA's assertion is a template


def wanted(schema: dict) -> str | None:
    """The type a typed render is converted to, or None for a string render."""
    types = []
    for sub in [schema, *schema.get("anyOf", ()), *schema.get("oneOf", ())]:
        t = sub.get("type") if isinstance(sub, dict) else None
        types.extend(t if isinstance(t, list) else [t] if t else [])
    if not types or "string" in types:
        return None
    return next((t for t in types if t in WANTS), None)


def java_key(value) -> str:
    """A YAML map key as the string Kestra sees (`true`, `1`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class Module:
    """The whole generated module: flows, then the entry point."""

    def __init__(self, version: str) -> None:
        self.w = Writer()
        self.version = version
        self.counters = {"t": 0, "task": 0, "flow": 0}

    def name(self, kind: str) -> str:
        self.counters[kind] += 1
        return f"_{kind}{self.counters[kind]}"

    def header(self, main: Flow, display: str) -> None:
        w = self.w
        w.line(f"# Flow {comment(main.namespace)}.{comment(main.id)}, compiled by flowc {comment(self.version)} "
               f"from {comment(display)}.")
        w.line("# Do not edit: change the flow and compile it again (`flowc compile`).")
        w.line("# Run it: python THIS_FILE.py --help")
        w.line("from runtime.flowspec import Flow, Task, Typed")
        w.line("from runtime.main import main")
        w.line("from runtime.templates import Template, Templates")

    def footer(self, names: list[str]) -> None:
        w = self.w
        w.section("run")
        w.line(f"FLOWS = [{', '.join(names)}]  # the first is the one this script runs")
        w.line()
        w.line('if __name__ == "__main__":')
        w.line("    raise SystemExit(main(FLOWS))")

    def source(self) -> str:
        return self.w.source()


class FlowWriter:
    """The section of one flow."""

    def __init__(self, module: Module, flow: Flow, display: str, revision: int) -> None:
        self.m = module
        self.w = module.w
        self.flow = flow
        self.display = display
        self.revision = revision
        self.templates: list[str] = []
        # the trees the expression stage already parsed, by the YAML node holding them
        self.parsed = {id(t.node): t.tree for t in flow.expressions}

    def where(self, node: Node | None) -> str | None:
        return f"{self.display}:{node.span.line}" if node is not None else None

    # ------------------------------------------------------------------ templates

    def template(self, text: str, node: Node | None) -> str | None:
        """Emit a compiled template; return the name of its Template object."""
        tree = self.parsed.get(id(node)) if node is not None and getattr(node, "value", None) == text else None
        if tree is None:  # a value from pluginDefaults, a map key: not parsed by the checker
            try:
                tree = parse(text)
            except TemplateSyntaxError:
                return None  # the checker reported it; the compiler never compiles such a flow
        name = self.m.name("t")
        compiler = Compiler(text)
        self.w.line()
        self.w.block(compiler.module(tree, name=f"{name}_render", lines=None))
        line = node.span.line if node is not None else 0
        self.w.line(f"{name} = Template({name}_render, {text!r}, {line}, {compiler.line_map!r}, "
                    f"{tuple(tree.raw_blocks)!r})", self.where(node))
        self.templates.append(name)
        return name

    def value(self, data, node: Node | None, schema, dynamic: bool, typed: bool = False) -> str:
        """Python source building `data`: templates where Kestra renders, literals elsewhere."""
        schema = schema if isinstance(schema, dict) else {}
        dynamic = dynamic or is_dynamic(schema)
        if isinstance(data, str):
            if dynamic and has_template(data):
                name = self.template(data, node)
                if name is None:
                    return repr(data)
                want = wanted(schema)
                return f"Typed({name}, {want!r})" if typed or want else name
            return repr(data)
        if isinstance(data, dict):
            props = schema.get("properties", {})
            extra = schema.get("additionalProperties")
            items = []
            for key, item in data.items():
                sub = props.get(key, extra if isinstance(extra, dict) else {})
                child = node.get(key) if isinstance(node, Mapping) else None
                key_src = self.value(key, child, {"type": "string"}, dynamic) if dynamic else repr(key)
                items.append(f"{key_src}: {self.value(item, child, sub, dynamic)}")
            return "{" + ", ".join(items) + "}"
        if isinstance(data, list):
            sub = schema.get("items", {})
            nodes = node.items if isinstance(node, Sequence) else [None] * len(data)
            return "[" + ", ".join(self.value(item, n, sub, dynamic) for item, n in zip(data, nodes)) + "]"
        if data is None or isinstance(data, (bool, int, float)):
            return repr(data)
        return repr(str(data))

    def raw(self, data, node: Node | None) -> str:
        """Flow data kept as written (inputs, variables); its templates are precompiled for
        `render()` and input conditions, which look them up by text."""
        self.precompile(data, node)
        return self.value(data, None, {}, False)

    def precompile(self, data, node: Node | None) -> None:
        if has_template(data):
            self.template(data, node)
        elif isinstance(data, dict):
            for key, item in data.items():
                self.precompile(item, node.get(key) if isinstance(node, Mapping) else None)
        elif isinstance(data, list):
            nodes = node.items if isinstance(node, Sequence) else [None] * len(data)
            for item, n in zip(data, nodes):
                self.precompile(item, n)

    # ------------------------------------------------------------------ tasks

    def task(self, plugin: Plugin, names: dict) -> str:
        ptype = plugin.ptype
        type_name = ptype.name if ptype else str(plugin.type_name)
        node = plugin.mapping
        self.w.section(f"task {plugin.id} ({type_name})", self.where(node))
        slot_names = {slot.name for slot in ptype.slots} if ptype else set()
        props = []
        for key, data in plugin.values.items():
            if key in NOT_PROPS or key in slot_names:
                continue
            prop_node = self._prop_node(plugin, key)
            schema = ptype.properties.get(key, {}) if ptype else {}
            typed = (type_name, key) in TYPED
            props.append((key, self.value(data, prop_node, schema, False, typed), prop_node))
        name = self.m.name("task")
        names[id(plugin)] = name
        w = self.w
        w.line()
        flowable = bool(ptype and ptype.category in ("flowable", "executable"))  # the engine runs these itself
        w.line(f"{name} = Task({plugin.id!r}, {type_name!r}, {plugin.span.line}, flowable={flowable!r}, props={{")
        w.indent()
        for key, src, prop_node in props:
            w.line(f"{key!r}: {src},", self.where(prop_node))
        w.outdent()
        w.line("})")
        for child in plugin.children:
            if child.kind == "task":
                self.task(child, names)
        return name

    @staticmethod
    def _prop_node(plugin: Plugin, key: str) -> Node | None:
        """Where a property is written: in the task, else in the pluginDefaults it came from."""
        node = plugin.prop(key)
        if node is None:
            for source in plugin.default_sources:
                if isinstance(source, Mapping) and source.get(key) is not None:
                    return source.get(key)
        return node

    def tree(self, plugin: Plugin, names: dict) -> None:
        """Attach each flowable's children to it."""
        children = [c for c in plugin.children if c.kind == "task"]
        if not children:
            return
        slots: dict[str, list] = {}
        for child in children:
            slot = child.slot.name if child.slot else "tasks"
            if slot == "cases":
                slots.setdefault("cases", {}).setdefault(java_key(child.key), []).append(names[id(child)])
            else:
                slots.setdefault(slot, []).append(names[id(child)])
        parts = []
        for slot, members in slots.items():
            if isinstance(members, dict):
                inner = ", ".join(f"{k!r}: [{', '.join(v)}]" for k, v in members.items())
                parts.append(f"{slot!r}: {{{inner}}}")
            else:
                parts.append(f"{slot!r}: [{', '.join(members)}]")
        self.w.line(f"{names[id(plugin)]}.slots = {{{', '.join(parts)}}}", self.where(plugin.mapping))
        if plugin.ptype is not None and plugin.ptype.name.endswith(".flow.Dag"):
            items = plugin.values.get("tasks") or []
            for child, item in zip(children, items):
                depends = tuple(str(d) for d in (item.get("dependsOn") or ())) if isinstance(item, dict) else ()
                if depends:
                    self.w.line(f"{names[id(child)]}.depends_on = {depends!r}")
        for child in children:
            self.tree(child, names)

    # ------------------------------------------------------------------ the flow

    def emit(self) -> str:
        flow = self.flow
        w = self.w
        w.section(f"flow {flow.namespace}.{flow.id}", self.where(flow.node))
        names: dict[int, str] = {}
        top = {slot: [p for p in flow.in_slot(slot) if p.kind == "task"]
               for slot in ("tasks", "errors", "finally", "afterExecution")}
        for plugins in top.values():
            for plugin in plugins:
                self.task(plugin, names)
        data = to_data(flow.node) or {}
        if data.get("triggers") is not None:  # canonical type names, as the runtime looks triggers up by type
            data["triggers"] = [{**t.values, "type": t.ptype.name} if t.ptype else t.values
                                for t in flow.in_slot("triggers")]
        w.section(f"flow {flow.namespace}.{flow.id}: inputs, variables and outputs")
        inputs = self.raw(data.get("inputs") or [], flow.node.get("inputs"))
        variables = self.raw(data.get("variables") or {}, flow.node.get("variables"))
        outputs = self._outputs(data.get("outputs") or [])
        extras = [(key, self.value(data[key], flow.node.get(key), schema, False))
                  for key, schema in (("triggers", {}), ("concurrency", {}), ("retry", {}), ("sla", SLA_SCHEMA))
                  if data.get(key) is not None]
        w.section(f"flow {flow.namespace}.{flow.id}: the task tree")
        w.line()
        for plugins in top.values():
            for plugin in plugins:
                self.tree(plugin, names)
        w.line()
        name = self.m.name("flow")
        w.line(f"{name} = Flow(")
        w.indent()
        w.line(f"id={flow.id!r},")
        w.line(f"namespace={flow.namespace!r},")
        w.line(f"source={self.display!r},")
        w.line(f"revision={self.revision!r},")
        if data.get("disabled") is True:
            w.line("disabled=True,")
        w.line(f"inputs={inputs},", self.where(flow.node.get("inputs")))
        w.line(f"outputs={outputs},", self.where(flow.node.get("outputs")))
        w.line(f"variables={variables},", self.where(flow.node.get("variables")))
        w.line(f"labels={_labels(data.get('labels'))!r},", self.where(flow.node.get("labels")))
        for slot, field in (("tasks", "tasks"), ("errors", "errors"), ("finally", "finally_"),
                            ("afterExecution", "after_execution")):
            if top[slot]:
                w.line(f"{field}=[{', '.join(names[id(p)] for p in top[slot])}],")
        for key, src in extras:
            w.line(f"{key}={src},", self.where(flow.node.get(key)))
        w.line(f"templates=Templates([{', '.join(self.templates)}]),")
        w.outdent()
        w.line(")")
        return name

    def _outputs(self, outputs: list) -> str:
        items = []
        node = self.flow.node.get("outputs")
        nodes = node.items if isinstance(node, Sequence) else [None] * len(outputs)
        for output, n in zip(outputs, nodes):
            if not isinstance(output, dict):
                continue
            value_node = n.get("value") if isinstance(n, Mapping) else None
            entries = [f"{k!r}: {self.value(v, value_node, {'$dynamic': True}, False) if k == 'value' else repr(v)}"
                       for k, v in output.items() if k in ("id", "type", "value", "required")]
            items.append("{" + ", ".join(entries) + "}")
        return "[" + ", ".join(items) + "]"


def _labels(raw) -> dict:
    if isinstance(raw, list):
        return {str(i.get("key")): java_key(i.get("value")) for i in raw if isinstance(i, dict)}
    if isinstance(raw, dict):
        return {str(k): java_key(v) for k, v in raw.items()}
    return {}


def generate(flows: list[Flow], displays: list[str], revisions: list[int], version: str) -> str:
    """The module running `flows[0]`, with the other flows it may call."""
    module = Module(version)
    module.header(flows[0], displays[0])
    names = [FlowWriter(module, flow, display, revision).emit()
             for flow, display, revision in zip(flows, displays, revisions)]
    module.footer(names)
    source = module.source()
    compile(source, displays[0] + ".py", "exec")  # never write a module that does not compile
    return source
