import json, sys
cases = []
def c(name, template, context=None):
    d = {"name": name, "template": template}
    if context is not None: d["context"] = context
    cases.append(d)

c("scope_if_set_untaken_in_loop", "{% set x = 'outer' %}{% for i in [1, 2] %}{% if i == 2 %}{% set x = 'inner' %}{% endif %}{{ x }},{% endfor %}{{ x }}")
c("scope_set_increment_in_loop", "{% set n = 10 %}{% for i in [1, 2, 3] %}{% set n = n + i %}{{ n }},{% endfor %}{{ n }}")
c("scope_loop_var_in_filter_cond_error", "{% for x in [1, 2] if loop.index > 1 %}{{ x }}{% endfor %}")
c("scope_read_before_later_top_set", "{% for i in [1] %}[{{ x }}]{% endfor %}{% set x = 5 %}{{ x }}")
c("scope_set_block_sees_loop_var", "{% for h in ['a', 'b'] %}{% set line %}host={{ h }} #{{ loop.index }}{% endset %}{{ line }};{% endfor %}")
c("scope_nested_loop_shadow", "{% for x in [1, 2] %}{% for x in ['a'] %}{{ x }}{% endfor %}{{ x }}{% endfor %}")
c("scope_namespace_across_nested_loops", "{% set ns = namespace(items=[]) %}{% for a in [1, 2] %}{% for b in [3] %}{% set ns.items = ns.items + [a * b] %}{% endfor %}{% endfor %}{{ ns.items }} {{ ns }}")
c("scope_set_top_in_nested_if", "{% if true %}{% if true %}{% set deep = 'd' %}{% endif %}{% endif %}{{ deep }}")
c("scope_loop_else_sets_local", "{% for x in [] %}{% else %}{% set e = 1 %}{% endfor %}[{{ e }}]")
c("scope_context_not_mutated_between_sets", "{% set cfg = {'a': 1} %}{{ cfg }} {{ orig.a }}", {"orig": {"a": 0}})
c("misc_multiline_tag", "{% for x in [1,\n  2,\n  3] if x\n  is odd %}{{ x }}{% endfor %}{{\n  'end'\n}}")
c("misc_filter_arg_expressions", "{{ items|join(sep ~ ' ') }} {{ 'x'|replace('x', 'y' * 2) }} {{ text|indent(n + 1) }}", {"items": [1, 2], "sep": ",", "text": "a\nb", "n": 1})

c("misc_inline_if_in_list", "{{ [1 if true else 2, 'x' if false] }}")
c("misc_json_bool_null_printing", "{{ t }} {{ f }} {{ n }} {{ [t, f, n] }} {{ {'k': n} }}", {"t": True, "f": False, "n": None})
c("misc_float_context_keys_order", "{% for k, v in m.items() %}{{ k }}:{{ v }} {% endfor %}", {"m": {"z": 1.0, "a": 1e-7, "m": 2.5e+20, "b": 100.0}})
c("misc_trailing_newline_after_tag", "{% if true %}x{% endif %}\n")
c("misc_only_newline", "\n")
c("misc_crlf_template_with_dash", "a\r\n{%- if true -%}\r\nb\r\n{%- endif %}\r\n")
c("misc_yaml_list_from_dict", "env:\n{% for k, v in env.items() %}\n- name: {{ k }}\n  value: \"{{ v }}\"\n{% endfor %}", {"env": {"PAI_CLUSTER": "c1", "GPU": 4, "DEBUG": False}})
c("misc_startswith_in_filter_loop", "{% for h in hosts if h.startswith('gpu') %}{{ h }}{{ ',' if not loop.last }}{% endfor %}", {"hosts": ["gpu-1", "cpu-1", "gpu-2"]})
c("misc_sum_of_map_int", "{{ machines|map(attribute='gpu')|map('int')|sum }}", {"machines": [{"gpu": "2"}, {"gpu": 4}, {"gpu": "x"}]})
c("misc_string_comparison_unicode", "{{ 'é' > 'z' }} {{ ['é', 'z', 'a']|sort }}")
c("misc_loop_index_math", "{% for x in 'abc' %}{{ loop.index * 10 + loop.length }}{{ '' if loop.last else '-' }}{% endfor %}")

c("misc_self_referential_list", "{% set l = [1] %}{% set _ = l.append(l) %}{{ l }} {{ l == l }} {{ l|length }}")
c("misc_self_referential_dict", "{% set d = {'a': 1} %}{% set _ = d.update({'me': d}) %}{{ d }}")
c("err_self_referential_tojson", "{% set l = [] %}{% set _ = l.append(l) %}{{ l|tojson }}")

with open(sys.argv[1], "w") as f:
    for d in cases:
        if d: f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(cases))
