#!/usr/bin/python3
"""Renders the chat-template fixtures of Rewire.HuggingFace.Tests with Python's jinja2 set up as transformers sets it up.

Run with Debian's interpreter and python3-jinja2 (apt-get install -y python3-jinja2):
    /usr/bin/python3 tools/hf-fixtures/render_chat_templates.py
It defines every case here, writes them to Fixtures/chat/cases.json and the rendered text (or the error) of each to
Fixtures/chat/expected.json. The C# tests render the same cases and demand byte equality.

The environment is our own reimplementation of transformers' chat-template setup (utils/chat_template_utils.py):
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols]), a tojson filter that
is json.dumps(x, ensure_ascii=False, indent=..., separators=..., sort_keys=...), and the globals raise_exception
(raises TemplateError) and strftime_now (datetime.now().strftime). The variables are those of apply_chat_template:
messages, tools and documents (None when not given), add_generation_prompt, the special tokens of tokenizer_config.json
(set ones only, as strings) and extra keyword arguments. Templates come from the tokenizer_config.json files under
Fixtures/chat/models (see SOURCES.md there).
"""
import json
import os
from datetime import datetime

import jinja2
import jinja2.ext
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "tests", "Rewire.HuggingFace.Tests", "Fixtures", "chat")
SPECIAL_TOKENS = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token",
                  "additional_special_tokens"]


def raise_exception(message):
    raise jinja2.exceptions.TemplateError(message)


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def strftime_now(format):
    return datetime.now().strftime(format)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols])
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


def token_text(t):
    return t["content"] if isinstance(t, dict) else t


def model_template(model):
    with open(os.path.join(FIXTURES, "models", model, "tokenizer_config.json"), encoding="utf-8") as f:
        config = json.load(f)
    template = config["chat_template"]
    if isinstance(template, list):
        template = next(t["template"] for t in template if t["name"] == "default")
    tokens = {}
    for key in SPECIAL_TOKENS:
        value = config.get(key)
        if value:
            tokens[key] = [token_text(t) for t in value] if isinstance(value, list) else token_text(value)
    return template, tokens


def render(case):
    if "model" in case:
        source, tokens = model_template(case["model"])
    else:
        source, tokens = case["template"], {}
    kwargs = {**tokens, **case.get("extra", {})}
    template = environment().from_string(source)
    rendered = template.render(messages=case.get("messages", []), tools=case.get("tools"), documents=case.get("documents"),
                               add_generation_prompt=case.get("add_generation_prompt", False), **kwargs)
    if case.get("continue_final_message"):
        rendered = continue_final_message(rendered, case["messages"][-1]["content"])
    return rendered


def continue_final_message(rendered, final_message):
    """transformers' continue_final_message cut: after the last occurrence of the final message's stripped text."""
    if final_message.strip() not in rendered:
        raise ValueError("continue_final_message is set but the final message does not appear in the chat")
    loc = rendered.rindex(final_message.strip())
    if rendered[loc: loc + len(final_message.lstrip())] == final_message:
        return rendered[: loc + len(final_message.lstrip())]
    return rendered[: loc + len(final_message.strip())]


# ---------------------------------------------------------------- conversations
SYS = {"role": "system", "content": "You are a careful assistant. Answer briefly."}
U1 = {"role": "user", "content": "What is 17 * 23?"}
A1 = {"role": "assistant", "content": "17 * 23 = 391."}
U2 = {"role": "user", "content": "And 391 / 17?"}
A2 = {"role": "assistant", "content": "23."}
UNICODE = {"role": "user", "content": "Grüße aus Köln! 日本語で答えて。 Emoji 👩‍👩‍👧 and 𠀀, «quotes» — \"double\" 'single' \\ backslash,\ttab\n  indented line"}
ASCII_CTRL = {"role": "user", "content": "  leading and trailing spaces  \n\n"}
TOOLS = [
    {"type": "function", "function": {"name": "get_weather", "description": "Current weather in a city (°C).",
                                      "parameters": {"type": "object", "properties": {
                                          "city": {"type": "string", "description": "City name, e.g. Zürich"},
                                          "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
                                          "required": ["city"]}}},
    {"type": "function", "function": {"name": "add", "description": "Add two numbers.",
                                      "parameters": {"type": "object", "properties": {
                                          "a": {"type": "number"}, "b": {"type": "number", "default": 0.5}},
                                          "required": ["a", "b"]}}},
]
WEATHER_Q = {"role": "user", "content": "What's the weather in Zürich?"}
TOOL_CALL = {"role": "assistant", "content": "",
             "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}}}]}
TOOL_RESULT = {"role": "tool", "content": "{\"temperature\": 4.5, \"sky\": \"cloudy\"}"}
TOOL_ANSWER = {"role": "assistant", "content": "It is 4.5 °C and cloudy in Zürich."}


def conversations():
    return {
        "system_user": [SYS, U1],
        "user_only": [U1],
        "multi_turn": [SYS, U1, A1, U2],
        "unicode": [UNICODE],
        "whitespace_content": [SYS, ASCII_CTRL],
    }


def model_cases():
    cases = []
    for model in ["Qwen2.5-0.5B-Instruct", "Qwen3-0.6B", "Llama-3.2-1B-Instruct", "SmolLM2-135M-Instruct",
                  "Mistral-Nemo-Instruct-2407", "DeepSeek-V3", "Llama-3-Instruct"]:
        extra = {"date_string": "26 Jul 2024"} if model.startswith("Llama") else {}
        for name, messages in conversations().items():
            for agp in (True, False):
                cases.append({"name": f"{model}/{name}/agp={agp}", "model": model, "messages": messages,
                              "add_generation_prompt": agp, "extra": extra})
        cases.append({"name": f"{model}/ends_with_assistant", "model": model, "messages": [SYS, U1, A1, U2, A2],
                      "add_generation_prompt": False, "extra": extra})
    for model in ["Qwen2.5-0.5B-Instruct", "Qwen3-0.6B"]:
        cases.append({"name": f"{model}/tools", "model": model, "messages": [SYS, WEATHER_Q], "tools": TOOLS,
                      "add_generation_prompt": True})
        cases.append({"name": f"{model}/tools_no_system", "model": model, "messages": [WEATHER_Q], "tools": TOOLS,
                      "add_generation_prompt": True})
        cases.append({"name": f"{model}/tool_round_trip", "model": model,
                      "messages": [SYS, WEATHER_Q, TOOL_CALL, TOOL_RESULT, TOOL_RESULT, TOOL_ANSWER, U2],
                      "tools": TOOLS, "add_generation_prompt": True})
    q3 = "Qwen3-0.6B"
    for label, extra in [("thinking_off", {"enable_thinking": False}), ("thinking_on", {"enable_thinking": True})]:
        cases.append({"name": f"{q3}/{label}", "model": q3, "messages": [SYS, U1], "add_generation_prompt": True, "extra": extra})
        cases.append({"name": f"{q3}/{label}/multi_turn", "model": q3, "messages": [U1, A1, U2],
                      "add_generation_prompt": True, "extra": extra})
    cases.append({"name": f"{q3}/reasoning_content", "model": q3, "add_generation_prompt": True, "messages": [
        SYS, U1, {"role": "assistant", "content": "391.", "reasoning_content": "\n17*20=340, 17*3=51, 340+51=391.\n"},
        U2, {"role": "assistant", "content": "It is 23.", "reasoning_content": "391/17 = 23."}]})
    cases.append({"name": f"{q3}/reasoning_after_last_query", "model": q3, "add_generation_prompt": False, "messages": [
        U1, {"role": "assistant", "content": "<think>\nfirst\n</think>\n\nAnswer one."}, U2,
        {"role": "assistant", "content": "<think>\nsecond thought\n</think>\n\n\nAnswer two."}]})
    cases.append({"name": f"{q3}/tool_response_user_turn", "model": q3, "add_generation_prompt": True, "tools": TOOLS, "messages": [
        WEATHER_Q, {"role": "assistant", "content": "Let me check.", "reasoning_content": "Need the tool.",
                    "tool_calls": [{"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}},
                                   {"type": "function", "function": {"name": "add", "arguments": {"a": 1, "b": 2.5}}}]},
        TOOL_RESULT, {"role": "user", "content": "<tool_response>\nextra\n</tool_response>"}]})
    llama = "Llama-3.2-1B-Instruct"
    cases.append({"name": f"{llama}/other_date", "model": llama, "messages": [SYS, U1], "add_generation_prompt": True,
                  "extra": {"date_string": "01 Dec 2026"}})
    cases.append({"name": f"{llama}/tools_in_user_message", "model": llama, "messages": [SYS, WEATHER_Q], "tools": TOOLS,
                  "add_generation_prompt": True, "extra": {"date_string": "26 Jul 2024"}})
    cases.append({"name": f"{llama}/tools_in_system", "model": llama, "messages": [WEATHER_Q], "tools": TOOLS,
                  "add_generation_prompt": True, "extra": {"date_string": "26 Jul 2024", "tools_in_user_message": False}})
    cases.append({"name": f"{llama}/tool_round_trip", "model": llama, "tools": TOOLS, "add_generation_prompt": True,
                  "extra": {"date_string": "26 Jul 2024"},
                  "messages": [SYS, WEATHER_Q, TOOL_CALL, TOOL_RESULT, {"role": "ipython", "content": {"ok": True}}, TOOL_ANSWER]})
    cases.append({"name": f"{llama}/error_two_tool_calls", "model": llama, "add_generation_prompt": True,
                  "extra": {"date_string": "26 Jul 2024"},
                  "messages": [U1, {"role": "assistant", "tool_calls": [TOOL_CALL["tool_calls"][0], TOOL_CALL["tool_calls"][0]]}]})
    cases.append({"name": f"{llama}/error_tools_without_user", "model": llama, "tools": TOOLS, "add_generation_prompt": True,
                  "extra": {"date_string": "26 Jul 2024"}, "messages": [SYS]})
    prefill = {"role": "assistant", "content": "The answer is"}
    for model in ["Qwen2.5-0.5B-Instruct", "Qwen3-0.6B", "Llama-3.2-1B-Instruct", "SmolLM2-135M-Instruct", "Llama-3-Instruct"]:
        extra = {"date_string": "26 Jul 2024"} if model.startswith("Llama-3.2") else {}
        cases.append({"name": f"{model}/continue_final_message", "model": model, "messages": [SYS, U1, prefill],
                      "continue_final_message": True, "extra": extra})
        cases.append({"name": f"{model}/continue_final_message_spaces", "model": model, "extra": extra,
                      "messages": [U1, {"role": "assistant", "content": "Let me think:  \n"}], "continue_final_message": True})
    nemo = "Mistral-Nemo-Instruct-2407"
    nemo_call = {"role": "assistant", "tool_calls": [{"id": "call00001", "type": "function", "function": {
        "name": "get_weather", "arguments": {"city": "Zürich"}}}]}
    nemo_result = {"role": "tool", "tool_call_id": "call00001", "content": "{\"temperature\": 4.5}"}
    cases.append({"name": f"{nemo}/tools", "model": nemo, "messages": [SYS, WEATHER_Q], "tools": TOOLS, "add_generation_prompt": True})
    cases.append({"name": f"{nemo}/tool_round_trip", "model": nemo, "tools": TOOLS, "add_generation_prompt": True,
                  "messages": [SYS, WEATHER_Q, nemo_call, nemo_result, TOOL_ANSWER, U2]})
    cases.append({"name": f"{nemo}/error_roles_must_alternate", "model": nemo, "messages": [U1, U2], "add_generation_prompt": True})
    cases.append({"name": f"{nemo}/error_tool_call_id", "model": nemo, "add_generation_prompt": True, "messages": [
        WEATHER_Q, {"role": "assistant", "tool_calls": [{"id": "short", "type": "function", "function": {"name": "f", "arguments": {}}}]}]})
    ds = "DeepSeek-V3"
    cases.append({"name": f"{ds}/two_system_messages", "model": ds, "add_generation_prompt": True,
                  "messages": [SYS, {"role": "system", "content": "Second system part."}, U1]})
    cases.append({"name": f"{ds}/tool_round_trip", "model": ds, "add_generation_prompt": True, "messages": [
        WEATHER_Q,
        {"role": "assistant", "content": None, "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Zürich\"}"}},
            {"type": "function", "function": {"name": "add", "arguments": "{\"a\": 1, \"b\": 2}"}}]},
        TOOL_RESULT, {"role": "tool", "content": "3"}, TOOL_ANSWER, U2]})
    cases.append({"name": f"{ds}/ends_in_tool_output", "model": ds, "add_generation_prompt": True, "messages": [
        WEATHER_Q, {"role": "assistant", "content": None, "tool_calls": [
            {"type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]}, TOOL_RESULT]})
    return cases


# ---------------------------------------------------------------- small templates, one construct each
def construct_cases():
    v = {"xs": [3, 1, 2], "d": {"b": 1, "a": [1, 2.5, None, True], "c": {"k": "v"}}, "s": "  Hello, World  ",
         "users": [{"name": "ann", "age": 31, "admin": True}, {"name": "bob", "age": 25}, {"name": "cy", "age": 40, "admin": False}],
         "u": "naïve café 日本 👍", "n": None, "f": 2.5, "i": 7, "e": "", "t": True}
    t = {
        # whitespace control with trim_blocks and lstrip_blocks
        "ws_block_lines": "A\n  {% if t %}\n    B\n  {% endif %}\nC\n",
        "ws_inline_blocks": "A {% if t %}B{% endif %} C\n{% for x in xs %}{{ x }} {% endfor %}\nD",
        "ws_minus": "A  \n  {%- if t -%}  \n  B  \n  {%- endif -%}\n  C",
        "ws_expression_minus": "A \n {{- 'x' -}} \n B\n{{ 'y' }}\n  {{ 'z' }}  \nE",
        "ws_plus": "A\n  {%+ if t %}\n  B\n  {% endif +%}\nC",
        "ws_comments": "A\n  {# comment #}\nB {#- c -#}   C\n{# multi\nline #}\nD\n",
        "ws_tabs_crlf": "A\r\n\t {% if t %}\r\nB\r\n\t{% endif %}\r\nC\r\n",
        "ws_block_after_text": "text {% if t %}\n  inner\n{% endif %}   \n  {% if t %}x{% endif %}\n",
        "ws_trailing_newlines": "A\n\n",
        "ws_set_lines": "{% set a = 1 %}\n  {% set b = 2 %}\n{{ a + b }}\n",
        # loops
        "loop_vars": "{% for x in xs %}{{ loop.index }}/{{ loop.index0 }}/{{ loop.revindex }}/{{ loop.revindex0 }}/{{ loop.length }}/{{ loop.first }}/{{ loop.last }};{% endfor %}",
        "loop_prev_next": "{% for x in xs %}[{{ loop.previtem if loop.previtem is defined else '-' }}<{{ x }}>{{ loop.nextitem | default('-') }}]{% endfor %}",
        "loop_else": "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}|{% for x in xs if x > 5 %}{{ x }}{% else %}none{% endfor %}",
        "loop_filter": "{% for x in xs if x != 1 %}{{ loop.index }}:{{ x }} {% endfor %}",
        "loop_break_continue": "{% for x in range(10) %}{% if x == 2 %}{% continue %}{% endif %}{% if x > 5 %}{% break %}{% endif %}{{ x }}{% endfor %}",
        "loop_nested": "{% for a in [1, 2] %}{% for b in 'xy' %}{{ loop.index }}{{ a }}{{ b }} {% endfor %}{{ loop.index }}|{% endfor %}",
        "loop_unpack": "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}|{% for k, v in d|items %}{{ k }} {% endfor %}|{% for k in d %}{{ k }}{% endfor %}",
        "loop_cycle": "{% for x in xs %}{{ loop.cycle('odd', 'even') }} {% endfor %}",
        "scope_loop_set": "{% set y = 'outer' %}{% for x in xs %}{% set y = x %}{{ y }}{% endfor %}|{{ y }}",
        "scope_if_set": "{% if t %}{% set y = 'from if' %}{% endif %}{{ y }}",
        "namespace": "{% set ns = namespace(total=0, seen=false) %}{% for x in xs %}{% set ns.total = ns.total + x %}{% if x == 1 %}{% set ns.seen = true %}{% endif %}{% endfor %}{{ ns.total }} {{ ns.seen }}",
        "set_tuple_and_block": "{% set a, b = 1, 'two' %}{{ a }} {{ b }}|{% set block %}\n  inner {{ a }}\n{% endset %}[{{ block }}]",
        "macro": "{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ greet('ann') }} {{ greet('bob', '?') }} {{ greet(name='cy', punct='.') }}",
        # expressions
        "literals": "{{ 'a\\tb\\n' }}|{{ \"it's\" }}|{{ 'x' 'y' }}|{{ 1_000 }}|{{ 1.5e3 }}|{{ [1, 'a', none, true] }}|{{ {'k': 1, 'j': [2]} }}|{{ (1, 2) }}",
        "print_values": "{{ n }}|{{ t }}|{{ f }}|{{ i }}|{{ d }}|{{ xs }}|{{ undefined_name }}|{{ 0.1 + 0.2 }}|{{ 1e-05 * 1 }}|{{ 1e16 * 1.0 }}|{{ 10 / 4 }}|{{ 3.0 }}|{{ -0.0 }}|{{ 123456789.125 }}",
        "arithmetic": "{{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 7 / 2 }} {{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 'ab' * 3 }} {{ [1] + [2] }} {{ -i }} {{ 'a' ~ 1 ~ none }} {{ f + i }}",
        "comparisons": "{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }} {{ 'a' < 'b' }} {{ 1 == 1.0 }} {{ 'a' != 'a' }} {{ [1, 2] == [1, 2] }} {{ none == none }} {{ 2 >= 2 }}",
        "logic": "{{ e or 'fallback' }}|{{ 'x' and 'y' }}|{{ not e }}|{{ n and 1 }}|{{ 0 or none }}|{{ 'yes' if t else 'no' }}|{{ 'yes' if e else 'no' }}|{{ 'only' if e }}|",
        "membership": "{{ 'ell' in s }} {{ 2 in xs }} {{ 'a' in d }} {{ 'z' not in d }} {{ 5 not in xs }} {{ 'x' in undefined_name }}",
        "subscripts": "{{ xs[0] }} {{ xs[-1] }} {{ d['a'][1] }} {{ d.c.k }} {{ d['c']['k'] }} {{ u[0] }} {{ u[-1] }} {{ xs.1 }}",
        "slices": "{{ xs[::-1] }} {{ xs[1:] }} {{ xs[:-1] }} {{ xs[::2] }} {{ u[::-1] }} {{ u[2:7] }} {{ xs[5:] }} {{ xs[-10:10] }} {{ s[1:-1:3] }} {{ xs[2:0:-1] }}",
        "undefined_behaviour": "[{{ nothing }}][{{ nothing | length }}][{{ d.missing }}][{{ d.missing is defined }}][{% for x in nothing %}x{% endfor %}][{{ nothing | default('dflt') }}][{{ e | default('dflt') }}][{{ e | default('dflt', true) }}][{{ users[0].admin is defined }}/{{ users[1].admin is defined }}]",
        # filters
        "filter_strings": "{{ s | trim }}|{{ s | upper }}|{{ s | lower }}|{{ s | length }}|{{ u | length }}|{{ s | replace('l', 'L') }}|{{ s | replace('l', 'L', 2) }}|{{ 'hello world' | capitalize }}|{{ 'hello wORLD' | title }}|{{ 42 | string }}|{{ 'x,y' | trim(',x') }}",
        "filter_lists": "{{ xs | first }} {{ xs | last }} {{ xs | length }} {{ xs | join(', ') }} {{ xs | sort }} {{ xs | reverse | list }} {{ [1, 2, 1, 3] | unique | list }} {{ xs | sum }} {{ xs | min }} {{ xs | max }} {{ 'abc' | list }} {{ 'abc' | first }}",
        "filter_select": "{{ users | selectattr('admin') | map(attribute='name') | join(',') }}|{{ users | rejectattr('admin') | map(attribute='name') | list }}|{{ users | selectattr('age', 'gt', 30) | map(attribute='name') | list }}|{{ users | selectattr('name', 'equalto', 'bob') | list | length }}|{{ users | selectattr('admin', 'defined') | map(attribute='name') | list }}|{{ xs | select('odd') | list }}|{{ xs | reject('odd') | list }}|{{ users | map(attribute='missing', default='?') | list }}|{{ ['a', 'b'] | map('upper') | list }}",
        "filter_numbers": "{{ '42' | int }} {{ 'x' | int }} {{ 3.9 | int }} {{ '2.5' | float }} {{ -3 | abs }} {{ 2.675 | round(2) }} {{ 2.5 | round }} {{ 7 | float }}",
        "filter_misc": "{{ d | dictsort }}|{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(2, true) }}|{{ users | sort(attribute='age') | map(attribute='name') | list }}|{{ 'a b  c' | wordcount }}",
        "tojson": "{{ d | tojson }}|{{ u | tojson }}|{{ users[0] | tojson(indent=2) }}|{{ d | tojson(sort_keys=true) }}|{{ xs | tojson(separators=(',', ':')) }}|{{ {'q': '\"<&>\\'\\\\'} | tojson }}|{{ [] | tojson(indent=4) }}|{{ {'e': {}, 'l': []} | tojson(indent=1) }}|{{ {'f': 0.1, 'g': 1e-07, 'h': 1e20, 'i': 3.0} | tojson }}|{{ 'tab\\tnl\\n\\u0001' | tojson }}|{{ d | tojson(indent='\\t') }}",
        # methods
        "string_methods": "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ 'xxaxx'.strip('x') }}|{{ '\\n\\nq\\n'.lstrip('\\n') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'a,b,c'.split(',', 1) }}|{{ 'x</think>y</think>z'.split('</think>')[-1] }}|{{ s.startswith('  He') }}|{{ s.endswith(('x', '  ')) }}|{{ 'Ab'.upper() }}{{ 'Ab'.lower() }}|{{ 'a-b'.replace('-', '+') }}|{{ '-'.join(['a', 'b']) }}|{{ 'hello'.find('l') }}|{{ 'hello'.count('l') }}|{{ 'hi there'.title() }}",
        "dict_methods": "{{ d.keys() | list }}|{{ d.values() | list | length }}|{{ d.get('b') }}|{{ d.get('zz', 'dflt') }}|{{ d.get('zz') }}",
        "tests": "{{ n is none }} {{ s is string }} {{ d is mapping }} {{ xs is iterable }} {{ s is iterable }} {{ d is iterable }} {{ xs is sequence }} {{ i is number }} {{ i is integer }} {{ f is float }} {{ t is boolean }} {{ t is true }} {{ i is false }} {{ i is odd }} {{ i is even }} {{ 9 is divisibleby 3 }} {{ i is eq 7 }} {{ 2 is in xs }} {{ nothing is undefined }} {{ s is not mapping }} {{ 'abc' is lower }} {{ i is gt 3 }} {{ n is not none }}",
        "scope_loop_iterations": "{% for x in xs %}{% if y is defined %}[{{ y }}]{% endif %}{% set y = x %}({{ y }}){% endfor %}{{ y is defined }}",
        "scope_loop_variable_after": "{% set x = 'before' %}{% for x in xs %}{% endfor %}{{ x }}",
        "scope_macro_sees_globals": "{% set g = 'top' %}{% macro m() %}{{ g }}/{{ xs | length }}{% endmacro %}{{ m() }}",
        "scope_outer_read_before_set": "{% set y = 'outer' %}{% for x in [1, 2] %}[{{ y }}]{% set y = x %}{% endfor %}{{ y }}|{% if t %}[{{ y }}]{% set y = 'in' %}{% endif %}{{ y }}",
        "scope_macro_late_binding": "{% macro m() %}{{ late }}{% endmacro %}{% set late = 'late' %}{{ m() }}",
        "scope_shadow_global": "{% for x in [1] %}{% set xs = 'inner' %}{% endfor %}{{ xs }}",
        "filter_sort_options": "{{ [1, 2, 3] | sort(reverse=true) }} {{ ['b', 'A', 'c'] | sort }} {{ ['b', 'A', 'a'] | sort(case_sensitive=true) }}",
        "call_block": "{% macro box(title) %}<{{ title }}:{{ caller() }}>{% endmacro %}{% call box('t') %}inside {{ i }}{% endcall %}",
        "filter_block": "{% filter upper %}shout {{ s | trim }}{% endfilter %}",
        "conditional_chain": "{{ 'a' if i > 10 else 'b' if i > 5 else 'c' }}|{{ (xs | length > 2) and 'long' or 'short' }}",
        "nested_data": "{% for u in users %}{{ u.name }}{% if u.admin is defined and u.admin %}*{% endif %}{% if not loop.last %}, {% endif %}{% endfor %}",
        "string_concat_types": "{{ 'n=' ~ i ~ ', f=' ~ f ~ ', none=' ~ n ~ ', list=' ~ xs }}",
        "test_arguments": "{{ 'b' is in ['a', 'b'] }} {{ 'k' is in {'k': 1} }} {{ i is divisibleby(7) }} {{ n is sameas none }} {{ 'x' if i is odd else 'y' }} {{ i is gt 3 and i is lt 10 }}",
        "raise_exception_unused": "{% if false %}{{ raise_exception('never') }}{% endif %}ok",
        # errors (the C# side must throw)
        "error_raise": "{% if xs | length > 2 %}{{ raise_exception('Conversation roles must alternate!') }}{% endif %}",
        "error_unknown_filter": "{{ xs | frobnicate }}",
        "error_unknown_test": "{{ xs is frobnicated }}",
        "error_unclosed_if": "{% if t %}never closed",
        "error_unknown_tag": "{% frob %}",
        "error_undefined_arithmetic": "{{ nothing + 1 }}",
        "error_undefined_attribute": "{{ nothing.attribute }}",
        "error_add_str_int": "{{ 'a' + 1 }}",
        "error_not_callable": "{{ s() }}",
        "error_bad_expression": "{{ 1 + }}",
    }
    return [{"name": f"construct/{k}", "template": src, "extra": v} for k, src in t.items()]


def whitespace_fuzz_cases(count=150, seed=13):
    """Random templates built from whitespace and tag fragments (blocks balanced), for trim_blocks/lstrip_blocks and
    the -/+ markers in every combination."""
    import random
    rng = random.Random(seed)
    text = ["\n", "\n", "  ", "\t", " ", "a", "b ", "\n  ", "  \n", "\n\n"]
    inline = ["{{ 'x' }}", "{{- 'y' }}", "{{ 'z' -}}", "{{- v -}}", "{# c #}", "{#- c #}", "{# c -#}", "{% set q = 1 %}",
              "{%- set q = 2 -%}", "{%+ set q = 3 %}", "{% set q = 4 +%}"]
    opens = [("{% if t %}", "{% endif %}"), ("{%- if t %}", "{% endif -%}"), ("{% if t -%}", "{%- endif %}"),
             ("{%+ if t %}", "{% endif +%}"), ("{% for k in [1, 2] %}", "{% endfor %}"), ("{%- for k in [1] -%}", "{%- endfor -%}"),
             ("{% if not t %}", "{% else %}")]
    cases = []
    for n in range(count):
        out, stack = [], []
        for _ in range(rng.randint(4, 18)):
            r = rng.random()
            if r < 0.45:
                out.append(rng.choice(text))
            elif r < 0.7:
                out.append(rng.choice(inline))
            elif r < 0.85 or not stack:
                o, c = rng.choice(opens)
                if o == "{% if not t %}":
                    out.append(o); out.append(rng.choice(text)); out.append("{% else %}"); c = "{% endif %}"
                else:
                    out.append(o)
                stack.append(c)
            else:
                out.append(stack.pop())
        while stack:
            out.append(rng.choice(text))
            out.append(stack.pop())
        if rng.random() < 0.3:
            out.append("\n")
        cases.append({"name": f"whitespace/{n:03d}", "template": "".join(out), "extra": {"t": True, "v": "V"}})
    return cases


def main():
    cases = model_cases() + construct_cases() + whitespace_fuzz_cases()
    expected = {}
    for case in cases:
        try:
            expected[case["name"]] = {"text": render(case)}
        except Exception as e:  # noqa: BLE001 - the fixture records the failure kind
            expected[case["name"]] = {"error": f"{type(e).__name__}: {e}"}
    with open(os.path.join(FIXTURES, "cases.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
        f.write("\n")
    with open(os.path.join(FIXTURES, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(cases)} cases, {sum('error' in e for e in expected.values())} errors; jinja2 {jinja2.__version__}")


if __name__ == "__main__":
    main()
