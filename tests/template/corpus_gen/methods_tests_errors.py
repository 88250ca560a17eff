import json, sys
cases = []
def c(name, template, context=None):
    d = {"name": name, "template": template}
    if context is not None: d["context"] = context
    cases.append(d)

# --- methods ---
c("m_split", "{{ 'a,b,,c'.split(',') }} {{ '  a  b\\tc\\n'.split() }} {{ 'a,b,c'.split(',', 1) }} {{ 'a b c'.split(none, 1) }} {{ ''.split(',') }} {{ ''.split() }}")
c("m_split_index", "{{ host.split(':')[0] }} {{ host.split(':')[-1]|int + 1 }} {{ ip.split('.')[3] }}", {"host": "node1:8080", "ip": "10.1.2.3"})
c("m_split_in_loop", "{% for part in path.split('/') if part %}<{{ part }}>{% endfor %}", {"path": "/usr/local//bin/"})
c("m_startswith_endswith", "{{ 'kubernetes'.startswith('kube') }} {{ 'file.yaml'.endswith(('.yml', '.yaml')) }} {{ 'x'.startswith('y') }} {{ name.endswith('-0') }}", {"name": "etcd-0"})
c("m_case_strip_replace", "{{ 'MiXeD'.lower() }} {{ 'MiXeD'.upper() }} [{{ '  pad  '.strip() }}] [{{ '--x--'.strip('-') }}] [{{ '  l'.lstrip() }}] [{{ 'r  '.rstrip() }}] {{ 'a.b.c'.replace('.', '/') }} {{ 'aaa'.replace('a', 'b', 1) }}")
c("m_format", "{{ '{}-{}'.format('a', 1) }} {{ '{0}{1}{0}'.format('x', 'y') }} {{ '{name}:{port}'.format(name='h', port=80) }} {{ '{{}}{}'.format(1) }}")
c("m_join_find_count", "{{ ', '.join(['a', 'b']) }} {{ 'hello'.find('l') }} {{ 'hello'.find('z') }} {{ 'banana'.count('a') }} {{ '123'.isdigit() }} {{ '12a'.isdigit() }}")
c("m_dict_get", "{{ d.get('a') }} {{ d.get('zz') }} {{ d.get('zz', 'dflt') }} {{ d.get('n', 1) }}", {"d": {"a": "A", "n": None}})
c("m_list_methods", "{% set l = [3, 1] %}{% set _ = l.extend([4, 1]) %}{{ l }} {{ l.index(4) }} {{ l.count(1) }} {{ l.pop() }} {{ l }} {% set _ = l.insert(0, 9) %}{{ l }}")
c("m_items_list", "{{ d.items()|list }} {{ d.keys()|list }} {{ d.values()|list }}", {"d": {"b": 1, "a": [2]}})
c("m_loop_over_split_lines", "{% for line in text.splitlines() %}{{ loop.index }}:{{ line }};{% endfor %}", {"text": "one\ntwo\n\nfour\n"})
c("err_method_unknown", "{{ 'x'.nosuchmethod() }}")
c("err_split_empty_sep", "{{ 'abc'.split('') }}")
c("err_join_non_str", "{{ ','.join([1, 2]) }}")

# --- tests ---
c("t_defined_undefined", "{{ x is defined }} {{ y is defined }} {{ y is undefined }} {{ x is not defined }} {{ d.k is defined }} {{ d.z is defined }}", {"x": None, "d": {"k": 0}})
c("t_types", "{% for v in [1, 1.5, 'a', [1], {'a': 1}, none, true, (1,)] %}{{ v is number }}{{ v is string }}{{ v is mapping }}{{ v is sequence }}{{ v is iterable }}{{ v is none }}{{ v is integer }}{{ v is float }}{{ v is boolean }} {% endfor %}")
c("t_types_context", "{{ m is mapping }} {{ l is sequence }} {{ s is string }} {{ n is number }} {{ missing is sequence }} {{ missing is iterable }}", {"m": {}, "l": [], "s": "", "n": 0})
c("t_not_forms", "{{ 1 is not string }} {{ not 1 is string }} {{ 'a' is not none }} {{ none is not none }}")
c("t_numeric", "{{ 3 is odd }} {{ 4 is even }} {{ 9 is divisibleby 3 }} {{ 9 is divisibleby(4) }} {{ 2 is eq 2 }} {{ 2 is ne 3 }} {{ 1 is lt 2 }} {{ 3 is ge 3 }} {{ 'a' is in 'abc' }}")
c("t_true_false_lower_upper", "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aB' is lower }}")
c("t_in_condition", "{% if cfg.gpu is defined and cfg.gpu is number and cfg.gpu > 0 %}gpu={{ cfg.gpu }}{% endif %}", {"cfg": {"gpu": 4}})
c("t_sameas", "{{ none is sameas none }} {{ true is sameas true }} {{ 1 is sameas true }}")

# --- unicode ---
c("uni_passthrough", "Grüße, {{ name }}! ☃ {{ '日本語' }}", {"name": "Jürgen"})
c("uni_length_upper", "{{ 'héllo'|length }} {{ 'straße'|upper }} {{ 'ÉCOLE'|lower }} {{ 'привет'|upper }} {{ 'ПРИВЕТ'|lower }} {{ '日本'|length }} {{ '😀x'|length }}")
c("uni_repr_in_list", "{{ ['ü', '😀', '\\u200b', '\\x07', '\\x7f', '\\x85'] }}")
c("uni_escape_sequences", "{{ '\\u2603 \\U0001F600 \\xe9' }}")
c("uni_slice_reverse", "{{ 'añb'[1] }} {{ 'añb'[::-1] }} {{ 'añbc'[1:3] }}")
c("uni_context_keys", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"ключ": "значение", "键": "值"}})

# --- parse errors ---
c("perr_unexpected_end", "{% if x %}open")
c("perr_unclosed_for", "line1\n{% for x in y %}\n{{ x }}\n")
c("perr_unknown_tag", "{% frobnicate %}")
c("perr_unclosed_var", "{{ x ")
c("perr_bad_expression", "{{ 1 + }}")
c("perr_endfor_without_for", "{% endfor %}")
c("perr_endif_mismatch", "{% for x in y %}{% endif %}")
c("perr_extra_tokens", "{% if x y %}{% endif %}")
c("perr_unbalanced_paren", "{{ (1 + 2 }}")
c("perr_unexpected_char", "{{ 1 $ 2 }}")
c("perr_empty_var", "{{ }}")
c("perr_macro_unsupported_in_both", "{% macro m() %}x{% endmacro %}{{ m() }}") if False else None
c("perr_set_missing_value", "{% set x = %}")
c("perr_chained_is", "{{ x is defined is defined }}")
c("perr_else_twice", "{% if x %}a{% else %}b{% else %}c{% endif %}")

with open(sys.argv[1], "w") as f:
    for d in cases:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(cases))
