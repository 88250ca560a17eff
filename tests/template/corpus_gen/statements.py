import json, sys
cases = []
def c(name, template, context=None):
    d = {"name": name, "template": template}
    if context is not None: d["context"] = context
    cases.append(d)

# --- if ---
c("if_basic", "{% if x %}yes{% endif %}|{% if not x %}no{% endif %}", {"x": True})
c("if_elif_else", "{% for v in [1, 2, 3, 0] %}{% if v == 1 %}one{% elif v == 2 %}two{% elif v == 3 %}three{% else %}other{% endif %},{% endfor %}")
c("if_truthiness", "{% for v in [0, 1, '', 'a', [], [0], {}, {'a': 1}, none, 0.0] %}{% if v %}T{% else %}F{% endif %}{% endfor %}")
c("if_undefined_falsy", "{% if missing %}a{% else %}b{% endif %}{% if cfg.nothere %}c{% else %}d{% endif %}", {"cfg": {}})
c("if_nested", "{% if a %}{% if b %}ab{% else %}a!b{% endif %}{% endif %}", {"a": 1, "b": 0})
c("if_tuple_cond", "{% if 1, %}t{% endif %}")
# --- for ---
c("for_list", "{% for x in items %}[{{ x }}]{% endfor %}", {"items": ["a", "b", "c"]})
c("for_dict_keys_order", "{% for k in d %}{{ k }},{% endfor %}", {"d": {"zeta": 1, "alpha": 2, "mid": 3}})
c("for_items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}})
c("for_keys_values", "{% for k in d.keys() %}{{ k }}{% endfor %}|{% for v in d.values() %}{{ v }}{% endfor %}", {"d": {"q": 1, "p": 2}})
c("for_string_chars", "{% for ch in 'héllo' %}<{{ ch }}>{% endfor %}")
c("for_range", "{% for i in range(3) %}{{ i }}{% endfor %}|{% for i in range(1, 10, 3) %}{{ i }}{% endfor %}|{% for i in range(5, 0, -2) %}{{ i }}{% endfor %}")
c("for_else_empty", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}|{% for x in missing %}{{ x }}{% else %}undef-empty{% endfor %}")
c("for_else_not_taken", "{% for x in [1] %}{{ x }}{% else %}empty{% endfor %}")
c("for_loop_vars", "{% for x in 'abcd' %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.first }}/{{ loop.last }}/{{ loop.length }} {% endfor %}")
c("for_filtered_loop_last", "{% for x in range(10) if x is odd %}{{ x }}{% if not loop.last %},{% endif %}{% endfor %} ({{ 'done' }})")
c("for_filtered_loop_length", "{% for h in hosts if h.gpu %}{{ loop.index }}/{{ loop.length }}:{{ h.name }} {% endfor %}", {"hosts": [{"name": "a", "gpu": 1}, {"name": "b", "gpu": 0}, {"name": "c", "gpu": 4}]})
c("for_filtered_else", "{% for x in [1, 2] if x > 5 %}{{ x }}{% else %}none-matched{% endfor %}")
c("for_nested_loop_last", "{% for row in rows %}{% for c in row if c %}{{ c }}{% if not loop.last %}+{% endif %}{% endfor %}{% if not loop.last %}\n{% endif %}{% endfor %}", {"rows": [[1, 0, 2], [0, 3], [4]]})
c("for_outer_loop_via_set", "{% for a in [1, 2] %}{% set outer = loop %}{% for b in 'xy' %}{{ outer.index }}{{ loop.index }}{{ b }} {% endfor %}{% endfor %}")
c("for_loop_cycle", "{% for x in range(5) %}{{ loop.cycle('odd', 'even') }} {% endfor %}")
c("for_loop_prev_next", "{% for x in [1, 2, 3] %}{{ loop.previtem }}<{{ x }}>{{ loop.nextitem }}|{% endfor %}")
c("for_loop_depth", "{% for a in [1] %}{{ loop.depth }}{% for b in [1] %}{{ loop.depth }}{{ loop.depth0 }}{% endfor %}{% endfor %}")
c("for_tuple_unpack_lists", "{% for a, b in [[1, 2], [3, 4]] %}{{ a }}-{{ b }} {% endfor %}{% for (x, y) in [('p', 'q')] %}{{ x }}{{ y }}{% endfor %}")
c("for_unpack_strings", "{% for a, b in ['xy', 'zw'] %}{{ b }}{{ a }}{% endfor %}")
c("err_for_unpack_count", "{% for a, b in [[1, 2, 3]] %}{{ a }}{% endfor %}")
c("err_for_over_int", "{% for x in 5 %}{{ x }}{% endfor %}")
c("err_for_over_none", "{% for x in none %}{{ x }}{% endfor %}")
c("for_over_dict_literal", "{% for k, v in {'b': 1, 'a': 2}.items() %}{{ k }}{{ v }}{% endfor %}")
c("for_loop_var_shadowing", "{% set x = 'outer' %}{% for x in [1, 2] %}{{ x }}{% endfor %}{{ x }}")
c("for_loop_no_leak", "{% for i in [1, 2] %}{% endfor %}[{{ i }}][{{ loop }}]")
c("for_nested_dict_of_lists", "{% for role, hosts in cluster.items() %}{{ role }}:{% for h in hosts %} {{ h }}{% endfor %};{% endfor %}", {"cluster": {"master": ["m1"], "worker": ["w1", "w2"]}})

# --- set scoping ---
c("set_basic", "{% set x = 5 %}{{ x }}{% set y = x * 2 %} {{ y }}")
c("set_in_if_visible_after", "{% if true %}{% set x = 'from-if' %}{% endif %}{{ x }}")
c("set_in_for_not_visible_after", "{% set x = 'top' %}{% for i in [1, 2] %}{% set x = i %}[{{ x }}]{% endfor %}{{ x }}")
c("set_in_for_fresh_each_iteration", "{% for i in [1, 2] %}[{{ x }}]{% set x = i %}({{ x }}){% endfor %}")
c("set_in_for_reads_outer_before", "{% set x = 5 %}{% for i in [1, 2] %}[{{ x }}]{% set x = i %}({{ x }}){% endfor %}{{ x }}")
c("set_in_if_in_for", "{% for i in [1, 2] %}{% if i == 1 %}{% set y = 'one' %}{% endif %}{{ y }}.{% endfor %}{{ y }}")
c("set_tuple_unpack", "{% set a, b = 1, 2 %}{{ a }}{{ b }}{% set c, d = ['x', 'y'] %}{{ c }}{{ d }}")
c("set_block", "{% set greeting %}Hello {{ name }}!{% endset %}[{{ greeting }}]", {"name": "w"})
c("set_block_filter", "{% set s | upper %}abc {{ 1 + 1 }}{% endset %}{{ s }}")
c("set_overrides_context", "{{ x }}{% set x = 'local' %}{{ x }}", {"x": "ctx"})
c("set_namespace_accumulate", "{% set ns = namespace(found=false, count=0) %}{% for x in [1, 5, 7] %}{% if x > 4 %}{% set ns.found = true %}{% set ns.count = ns.count + 1 %}{% endif %}{% endfor %}{{ ns.found }} {{ ns.count }}")
c("set_list_append_shared", "{% set l = [] %}{% for x in [1, 2, 3] %}{% if l.append(x * 10) %}{% endif %}{% endfor %}{{ l }}")
c("set_append_prints_none", "{% set l = [] %}{{ l.append('a') }}|{{ l }}")
c("set_underscore_append", "{% set hosts = [] %}{% for m in machines %}{% set _ = hosts.append(m.hostname ~ ':' ~ m.port) %}{% endfor %}{{ hosts|join(',') }}", {"machines": [{"hostname": "h1", "port": 22}, {"hostname": "h2", "port": 2222}]})
c("set_alias_shares_list", "{% set a = [] %}{% set b = a %}{% set _ = b.append(1) %}{{ a }}")
c("set_dict_update", "{% set d = {'a': 1} %}{% set _ = d.update({'b': 2}) %}{{ d }}")
c("err_set_namespace_non_ns", "{% set d = {} %}{% set d.x = 1 %}")

# --- raw / comments ---
c("raw_block", "{% raw %}{{ not rendered }} {% if %}{% endraw %}")
c("raw_block_ws", "a  {%- raw -%}  {{ x }}  {%- endraw -%}  b")
c("comment_basic", "a{# comment {{ x }} #}b")
c("comment_multiline_ws", "a\n  {#- a\nmulti-line comment -#}\n  b")
c("err_comment_unclosed", "a {# never closed")
c("err_raw_unclosed", "{% raw %} open")

with open(sys.argv[1], "w") as f:
    for d in cases:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(cases))
