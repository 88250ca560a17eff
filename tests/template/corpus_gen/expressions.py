import json, sys
cases = []
def c(name, template, context=None):
    d = {"name": name, "template": template}
    if context is not None: d["context"] = context
    cases.append(d)

# --- basics / output / literals ---
c("basic_text", "hello world")
c("basic_var", "Hello {{ name }}!", {"name": "paiplan"})
c("basic_trailing_newline_dropped", "line\n")
c("basic_two_trailing_newlines", "line\n\n")
c("basic_crlf_normalized", "a\r\nb\rc\n")
c("lit_strings_quotes", "{{ 'single' }} {{ \"double\" }} {{ 'it\\'s' }} {{ \"say \\\"hi\\\"\" }}")
c("lit_string_escapes", "{{ 'a\\tb\\nc\\\\d' }}|{{ '\\x41\\u00e9\\101' }}|{{ 'keep \\d' }}")
c("lit_adjacent_strings", "{{ 'foo' \"bar\" 'baz' }}")
c("lit_ints_floats", "{{ 42 }} {{ -7 }} {{ 1_000 }} {{ 3.14 }} {{ 1e3 }} {{ 2.5e-3 }} {{ 0 }}")
c("lit_bools_none", "{{ true }} {{ false }} {{ True }} {{ False }} {{ none }} {{ None }}")
c("lit_list_repr", "{{ ['a', 1, True, none, 2.5] }}")
c("lit_dict_repr", "{{ {'a': 1, 'b': [1, 2], 'c': {'d': none}} }}")
c("lit_tuple_repr", "{{ (1, 2) }} {{ (1,) }} {{ () }} {{ 1, 'x' }}")
c("lit_nested_braces", "{{ {'a': {'b': {}}} }}")
c("lit_list_trailing_comma", "{{ [1, 2, ] }} {{ {'a': 1,} }}")
c("lit_curly_strings", "{{ \"{{\" }}job{{ \"}}\" }} {{ '{%' }} {{ '%}' }} {{ '}}' ~ '{{' }}")
c("print_repr_quotes", "{{ [\"it's\", 'say \"x\"', 'both \\' \"', 'back\\\\slash', 'tab\\t', 'nl\\n'] }}")
c("print_unicode_in_list", "{{ ['héllo', '日本', 'a\u00a0b'] }}")
c("print_nested_json", "{{ cfg }}", {"cfg": {"b": 1, "a": [1, 2.0, "x", None, True], "c": {"z": False}}})
c("print_json_list", "{{ items }}|{{ items[1] }}", {"items": ["x", 1.5, {"k": "v"}]})

# --- number formatting ---
c("num_float_repr", "{{ 60.0 }} {{ 0.1 }} {{ 1e16 }} {{ 1e-5 }} {{ 1e15 }} {{ 0.0001 }} {{ 123456789.123 }} {{ 1.5e300 }}")
c("num_float_ops", "{{ 0.1 + 0.2 }} {{ 1 / 3 }} {{ 2 / 1 }} {{ 10 / 4 }} {{ 1e16 + 1 }}")
c("num_from_context", "{{ a }} {{ b }} {{ c }} {{ d }} {{ e }}", {"a": 1.0, "b": 2.5, "c": 100000000000000000000.0, "d": 0.00001, "e": -0.0})
c("num_big_ints", "{{ 9007199254740993 }} {{ n * 2 }}", {"n": 4611686018427387903})
c("num_negative_zero", "{{ -0.0 }} {{ 0.0 * -1 }}")

# --- arithmetic ---
c("arith_basic", "{{ 1 + 2 }} {{ 5 - 7 }} {{ 3 * 4 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ 7 % 3 }} {{ 2 ** 10 }}")
c("arith_python_floor_mod", "{{ -7 // 2 }} {{ -7 % 3 }} {{ 7 % -3 }} {{ -7.5 // 2 }} {{ -7.5 % 2 }} {{ 7.5 % -2 }}")
c("arith_mixed_int_float", "{{ 1 + 1.5 }} {{ 2 * 0.5 }} {{ 3 - 1.0 }} {{ 9 // 2.0 }} {{ 2 ** -1 }} {{ 2.0 ** 3 }}")
c("arith_bool_is_int", "{{ true + 1 }} {{ false * 5 }} {{ true / 2 }}")
c("arith_string_concat", "{{ 'a' + 'b' }} {{ 'ab' * 3 }} {{ 2 * 'xy' }} {{ 'x' ~ 1 ~ none ~ true }}")
c("arith_list_concat", "{{ [1, 2] + [3] }} {{ [0] * 3 }} {{ (1,) + (2,) }}")
c("arith_precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 10 - 2 - 3 }} {{ 1 ~ 2 + 3 }}")
c("arith_unary", "{{ -x }} {{ +x }} {{ - -3 }} {{ -x|abs }}", {"x": 5})
c("arith_percent_format", "{{ '%s-%d' % ('a', 3) }} {{ 'v=%s' % 5 }} {{ '%05.1f|%x|%%' % (3.14159, 255) }}")
c("err_add_str_int", "{{ 'a' + 1 }}")
c("err_div_zero", "{{ 1 / 0 }}")
c("err_floordiv_zero", "{{ 5 // 0 }}")
c("err_mod_zero", "{{ 5 % 0 }}")
c("err_sub_strings", "{{ 'a' - 'b' }}")
c("err_undefined_plus", "{{ missing + 1 }}")
c("err_neg_string", "{{ -'a' }}")

# --- comparisons / logic ---
c("cmp_basic", "{{ 1 == 1 }} {{ 1 != 2 }} {{ 1 < 2 }} {{ 2 > 1 }} {{ 2 <= 2 }} {{ 3 >= 4 }}")
c("cmp_mixed_numeric", "{{ 1 == 1.0 }} {{ 1 == true }} {{ 0 == false }} {{ 2 > 1.5 }}")
c("cmp_strings_lists", "{{ 'a' < 'b' }} {{ 'B' < 'a' }} {{ [1, 2] < [1, 3] }} {{ [1] == [1] }} {{ [1] == (1,) }} {{ {'a': 1} == {'a': 1} }}")
c("cmp_chained", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 1 == 1 == 1 }}")
c("cmp_in", "{{ 'a' in 'cat' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in ['a'] }} {{ 'x' in d }} {{ 1 in d }}", {"d": {"x": 1}})
c("cmp_none", "{{ none == none }} {{ x == none }} {{ missing == none }} {{ missing == missing2 }}", {"x": None})
c("err_cmp_int_str", "{{ 1 < 'a' }}")
c("err_cmp_undefined", "{{ missing < 1 }}")
c("err_in_int", "{{ 1 in 5 }}")
c("logic_and_or_return_operands", "{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ '' and 'b' }} {{ none or [] }} {{ 1 and 0 }} {{ false or none }}")
c("logic_not", "{{ not 0 }} {{ not 'a' }} {{ not missing }} {{ not [] }} {{ not x.a }}", {"x": {"a": 1}})
c("logic_precedence", "{{ not 1 == 2 }} {{ 1 or 0 and 0 }} {{ not x is defined }} {{ not none or 1 }}")
c("logic_short_circuit", "{{ false and missing.attr }} {{ true or missing.attr }}")
c("condexpr_basic", "{{ 'yes' if x else 'no' }} {{ 'y' if not x else 'n' }} {{ 1 if x > 1 else 2 if x > 0 else 3 }}", {"x": 1})
c("condexpr_no_else", "[{{ 'shown' if true }}][{{ 'hidden' if false }}][{{ ('a' if false)|default('d') }}]")
c("condexpr_in_filter_arg", "{{ items|join(', ' if sep else ';') }}", {"items": ["a", "b"], "sep": True})

with open(sys.argv[1], "w") as f:
    for d in cases:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
print(len(cases))
