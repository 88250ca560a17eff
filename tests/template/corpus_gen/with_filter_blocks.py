import json, sys
cases = []
def c(name, template, context=None):
    d = {"name": name, "template": template}
    if context is not None: d["context"] = context
    cases.append(d)

c("with_basic", "{% with a = 1, b = 'x' %}{{ a }}{{ b }}{% endwith %}[{{ a }}]")
c("with_values_see_outer", "{% set a = 'outer' %}{% with a = 'inner', b = a %}{{ a }}/{{ b }}{% endwith %}/{{ a }}")
c("with_set_is_local", "{% with %}{% set x = 1 %}{{ x }}{% endwith %}[{{ x }}]")
c("with_in_loop", "{% for h in hosts %}{% with name = h.name|upper %}{{ name }}{{ ',' if not loop.last }}{% endwith %}{% endfor %}", {"hosts": [{"name": "a"}, {"name": "b"}]})
c("filter_block_upper", "{% filter upper %}hello {{ name }}{% endfilter %}!", {"name": "world"})
c("filter_block_chain_args", "x:\n  {% filter indent(2)|trim %}\nline1\nline2\n{% endfilter %}\nend")
c("filter_block_set_local", "{% filter lower %}{% set z = 'Q' %}{{ z }}{% endfilter %}[{{ z }}]")
c("err_filter_block_unknown", "{% filter nosuch %}x{% endfilter %}")
c("err_with_unclosed", "{% with a = 1 %}{{ a }}")
c("err_macro_unsupported_undefined_call", "{{ undefined_macro('x') }}")

with open(sys.argv[1], "w") as f:
    for d in cases:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(cases))
