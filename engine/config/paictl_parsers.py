# paiplan's adapter for OpenPAI v0.14 service config parsers
# (src/<service>/config/<service_with_underscores>.py). paiplan embeds this
# file in its binary and runs it with `python3 -B -c <this text> INPUT.json`,
# once per plan when the inputs changed (the result is cached by input hash).
#
# It runs the parsers the way paictl's cluster object model did: every
# validation_pre(), then every run(), then every validation_post(model) over
# the whole model, and prints ONE JSON document on stdout:
#   {"ok": true, "model": {"<service>": <run() result>, ...}}
#   {"ok": false, "service": S, "parser": FILE, "phase": P, "message": M, "traceback": T}
# Anything the parsers print goes to stderr. Progress lines on stderr
# ("paiplan-parser: <service> <phase>") let paiplan name the parser that was
# running when it had to kill a parser that did not finish in time.
#
# Python-2 compatibility shim (v0.14 parsers were written for Python 2):
#  - builtins basestring, unicode, long, xrange, unichr, raw_input, reduce
#    and cmp exist (as their Python 3 equivalents);
#  - modules urlparse, ConfigParser, StringIO, cStringIO, Queue, cPickle,
#    urllib2 and HTMLParser import as their Python 3 equivalents;
#  - the dicts a parser receives (layout, default and overwrite config, the
#    model given to validation_post) are Py2Dict: they also have iteritems,
#    iterkeys, itervalues, viewitems, viewkeys, viewvalues and has_key, and
#    keys()/values()/items() return lists, as in Python 2;
#  - a parser whose source does not compile as Python 3 (print statements,
#    `except E, e`, backticks, octal 0777 ...), or that calls iteritems,
#    iterkeys, itervalues or has_key, is translated in memory with lib2to3's
#    fixers before it is run (the file is never changed). Without lib2to3
#    (removed in Python 3.13) such a parser fails with its SyntaxError.
import builtins
import functools
import importlib.util
import io
import json
import math
import os
import re
import sys
import traceback

REAL_STDOUT = sys.stdout
sys.stdout = sys.stderr  # parsers' prints must not corrupt the result document


class Py2Dict(dict):
    def iteritems(self):
        return iter(dict.items(self))

    def iterkeys(self):
        return iter(dict.keys(self))

    def itervalues(self):
        return iter(dict.values(self))

    def viewitems(self):
        return dict.items(self)

    def viewkeys(self):
        return dict.keys(self)

    def viewvalues(self):
        return dict.values(self)

    def has_key(self, key):
        return key in self

    def keys(self):
        return list(dict.keys(self))

    def values(self):
        return list(dict.values(self))

    def items(self):
        return list(dict.items(self))

    def copy(self):
        return Py2Dict(self)


def install_shim():
    names = {"basestring": str, "unicode": str, "long": int, "xrange": range, "unichr": chr,
             "raw_input": input, "reduce": functools.reduce,
             "cmp": lambda a, b: (a > b) - (a < b)}
    for name, value in names.items():
        if not hasattr(builtins, name):
            setattr(builtins, name, value)
    aliases = {"urlparse": "urllib.parse", "ConfigParser": "configparser", "StringIO": "io",
               "cStringIO": "io", "Queue": "queue", "cPickle": "pickle", "urllib2": "urllib.request",
               "HTMLParser": "html.parser"}
    for old, new in aliases.items():
        if old not in sys.modules:
            try:
                sys.modules[old] = importlib.import_module(new)
            except ImportError:
                pass


PY2_CALLS = re.compile(r"\.(iteritems|iterkeys|itervalues|has_key)\s*\(")


def translate_py2(source, path):
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from lib2to3 import refactor
    fixers = refactor.get_fixers_from_package("lib2to3.fixes")
    tool = refactor.RefactoringTool(fixers)
    if not source.endswith("\n"):
        source += "\n"
    return str(tool.refactor_string(source, path))


def load_parser_class(service, path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    try:
        code = compile(source, path, "exec")
        needs_translation = PY2_CALLS.search(source) is not None
    except SyntaxError:
        code, needs_translation = None, True
    if needs_translation:
        try:
            code = compile(translate_py2(source, path), path, "exec")
        except ImportError:
            if code is None:
                raise
    module_name = service.replace("-", "_")
    module = type(sys)(module_name)
    module.__file__ = path
    sys.modules[module_name] = module
    exec(code, module.__dict__)
    class_name = service.replace("-", " ").title().replace(" ", "")
    if not hasattr(module, class_name):
        raise AttributeError("%s defines no class %s (paictl's name for the parser of '%s')"
                             % (path, class_name, service))
    return getattr(module, class_name)


def json_path_error(value, where):
    """The first value under `value` that JSON cannot carry, as a message; None if all can."""
    if value is None or isinstance(value, (bool, str)):
        return None
    if isinstance(value, int):
        return None
    if isinstance(value, float):
        return None if math.isfinite(value) else "%s is %r, which JSON cannot carry" % (where, value)
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            err = json_path_error(item, "%s[%d]" % (where, i))
            if err:
                return err
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return "%s has a key %r of type %s; keys must be strings" % (where, key, type(key).__name__)
            err = json_path_error(item, "%s[%r]" % (where, key))
            if err:
                return err
        return None
    return "%s is a %s (%r), which is not JSON-serialisable" % (where, type(value).__name__, value)


class Failure(Exception):
    def __init__(self, service, parser, phase, message, tb=""):
        Exception.__init__(self, message)
        self.doc = {"ok": False, "service": service, "parser": parser, "phase": phase,
                    "message": message, "traceback": tb}


def call(service, parser, phase, fn, *args):
    sys.stderr.write("paiplan-parser: %s %s\n" % (service, phase))
    sys.stderr.flush()
    try:
        return fn(*args)
    except Exception as e:
        # The traceback from the parser's frames on (the adapter's own frame left out).
        tb = "".join(traceback.format_exception(type(e), e, e.__traceback__.tb_next))
        raise Failure(service, parser, phase, "%s: %s" % (type(e).__name__, e), tb)


def check_verdict(service, parser, phase, verdict):
    if isinstance(verdict, (tuple, list)) and len(verdict) == 2:
        ok, msg = verdict
    else:
        ok, msg = verdict, None
    if ok is False:
        raise Failure(service, parser, phase, "%s returned False: %s" % (phase, msg))


def run(doc):
    install_shim()
    layout = doc["layout"]
    entries = []
    for svc in doc["services"]:
        name, path = svc["name"], svc["parser"]
        sys.path.insert(0, os.path.dirname(path))
        try:
            cls = call(name, path, "load", load_parser_class, name, path)
            instance = call(name, path, "__init__", cls, layout, svc["overwrite"], svc["default"])
        finally:
            sys.path.remove(os.path.dirname(path))
        entries.append((name, path, instance))
    for name, path, p in entries:
        check_verdict(name, path, "validation_pre", call(name, path, "validation_pre", p.validation_pre))
    model = Py2Dict(doc["model"])
    produced = {}
    for name, path, p in entries:
        result = call(name, path, "run", p.run)
        err = json_path_error(result, "run() result of %s" % name)
        if err:
            raise Failure(name, path, "run", "not JSON-serialisable: " + err)
        model[name] = result
        produced[name] = result
    for name, path, p in entries:
        check_verdict(name, path, "validation_post",
                      call(name, path, "validation_post", p.validation_post, model))
    return {"ok": True, "model": produced}


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        doc = json.load(f, object_pairs_hook=Py2Dict)
    try:
        out = run(doc)
        text = json.dumps(out, ensure_ascii=False, allow_nan=False)
    except Failure as f:
        text = json.dumps(f.doc, ensure_ascii=False)
    except (TypeError, ValueError) as e:  # a validation_post made the model unserialisable
        text = json.dumps(Failure("?", "?", "output", "the model is not JSON-serialisable after "
                                  "validation_post: %s" % e).doc)
    REAL_STDOUT.write(text)
    REAL_STDOUT.flush()


main()
