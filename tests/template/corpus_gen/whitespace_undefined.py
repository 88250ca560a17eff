import json, sys
cases = []
def c(name, template, context=None):
    d = {"name": name, "template": template}
    if context is not None: d["context"] = context
    cases.append(d)

# --- whitespace control ---
c("ws_default_keeps_newlines", "{% for x in [1, 2] %}\n  {{ x }}\n{% endfor %}\n")
c("ws_dash_both", "{% for x in [1, 2] -%}\n  {{ x }}\n{%- endfor %}")
c("ws_dash_loop_lines", "items:\n{%- for x in items %}\n  - {{ x }}\n{%- endfor %}\nend", {"items": ["a", "b"]})
c("ws_var_dash", "a  {{- x -}}  b|  {{ x -}}\n\n c", {"x": 1})
c("ws_if_dash", "<{%- if true -%}\n   yes   \n{%- else -%} no {%- endif -%}\n>")
c("ws_plus_noop", "a {%+ if true +%} b {% endif %}")
c("ws_tabs_and_crlf", "x\t{%- if 1 %}\r\n\ty{% endif -%}\t\r\nz")
c("ws_set_lines", "{% set a = 1 %}\n{% set b = 2 %}\nv={{ a + b }}\n")
c("ws_comment_lines", "{# header #}\nline1\n{#- trimmed -#}\nline2")
c("ws_only_whitespace_template", "   \n  ")
c("ws_dash_at_start_end", "{{- 'x' -}}")
c("ws_minus_in_expression", "{{ 5 -3 }}{{ 5-3}}{{ 5 - 3 -}} |")

# --- undefined handling ---
c("undef_prints_empty", "[{{ missing }}][{{ cfg.nothere }}][{{ cfg['nothere'] }}][{{ lst[10] }}]", {"cfg": {}, "lst": [1]})
c("undef_attr_of_undefined_is_error", "{{ missing.attr }}")
c("undef_subscript_of_undefined_is_error", "{{ cfg['a']['b'] }}", {"cfg": {}})
c("undef_nested_context_error", "{{ cluster_cfg['layout']['nothere']['x'] }}", {"cluster_cfg": {"layout": {}}})
c("undef_is_defined_guard", "{% if cfg.a is defined and cfg.a.b is defined %}{{ cfg.a.b }}{% else %}none{% endif %}", {"cfg": {"a": {"c": 1}}})
c("undef_default_filter", "{{ missing|default('dflt') }} {{ cfg.x|default(5) }} {{ ''|default('empty') }} {{ ''|default('empty', true) }} {{ none|d('n', true) }} {{ 0|default(7, boolean=true) }}", {"cfg": {}})
c("undef_length_and_iter", "{{ missing|length }}{% for x in missing %}x{% endfor %}{{ missing|list }}{{ missing|join(',') }}")
c("undef_concat", "[{{ missing ~ 'x' }}]")
c("undef_equality", "{{ missing == missing }} {{ missing != 1 }} {{ missing is none }} {{ missing in [1] }}")
c("undef_call_is_error", "{{ missing() }}")
c("undef_int_filter_error", "{{ missing|int }}")
c("undef_method_error", "{{ missing.split(',') }}")
c("undef_none_attr_is_undefined", "[{{ n.x }}][{{ n['x'] }}][{{ (1).x }}][{{ 'str'.nope }}]", {"n": None})
c("undef_none_attr_attr_error", "{{ n.x.y }}", {"n": None})
c("undef_first_last_empty", "[{{ []|first }}][{{ []|last }}][{{ missing|first }}][{{ []|min }}]")
c("undef_condexpr_else_missing", "{{ (x if false).y }}")
c("undef_in_list_repr", "{{ [missing, 1] }}")

# --- subscripts / attributes ---
c("sub_dict_and_attr", "{{ d['a'] }} {{ d.a }} {{ d[key] }} {{ d['with-dash'] }} {{ d.nested.inner }}", {"d": {"a": 1, "with-dash": 2, "nested": {"inner": 3}}, "key": "a"})
c("sub_list_index", "{{ l[0] }} {{ l[-1] }} {{ l[-2] }} {{ l.0 }} {{ l[i] }} {{ l[true] }}", {"l": [10, 20, 30], "i": 1})
c("sub_string_index", "{{ s[0] }}{{ s[-1] }}{{ s[1] }}", {"s": "héllo"})
c("sub_slices", "{{ l[1:] }} {{ l[:2] }} {{ l[::-1] }} {{ l[-2:] }} {{ s[1:3] }} {{ s[::2] }} {{ l[1:-1] }}", {"l": [1, 2, 3, 4], "s": "abcdef"})
c("sub_attr_falls_back_to_key", "{{ d['get'] }}{{ d.get('get') }}", {"d": {"get": "g"}})
c("sub_int_key_dict_literal", "{{ {1: 'one', 2: 'two'}[2] }} {{ {1: 'x'}[1.0] }} {{ {'a': 1}.get('a') }} {{ {'a': 1}.get('b') }} {{ {'a': 1}.get('b', 'dflt') }}")
c("sub_loop_item", "{% for m in ml %}{{ m['hostname'] }}@{{ m.hostip }} {% endfor %}", {"ml": [{"hostname": "n1", "hostip": "10.0.0.1"}, {"hostname": "n2", "hostip": "10.0.0.2"}]})
c("sub_key_with_dots", "{{ d['a.b'] }}", {"d": {"a.b": "dotted"}})
c("sub_deep_path", "{{ a.b.c.d[0].e }}", {"a": {"b": {"c": {"d": [{"e": "deep"}]}}}})

with open(sys.argv[1], "w") as f:
    for d in cases:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(cases))
