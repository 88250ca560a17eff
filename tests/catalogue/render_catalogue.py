#!/usr/bin/python3
"""Renders the service catalogue (and role packages) with Python's Jinja2, the
reference engine, and checks what comes out.

cluster_cfg is built as docs/workspace.md says paictl built it:
  {layout: <layout.yaml with machine-list turned into a map keyed by hostname>,
   <service>: deep-merge(<service>/config/<service>.yaml, services-configuration[<service>]), ...}
for every service found on the service paths (the workspace's services/ first,
then the catalogue; the first definition of a name wins). Role templates get
cluster_cfg plus `host` (that machine's entry).

Checks: every template renders; no undefined value is printed; every rendered
*.yaml except Helm values (*-values.yaml) parses as YAML (all documents) and
each document has apiVersion, kind and metadata.name.

Usage: render_catalogue.py --workspace DIR [--catalogue DIR] [--out DIR]
                           [--dump-context FILE.json]
Exit status 0 when everything passed; 1 with one line per problem otherwise.
Needs /usr/bin/python3 with python3-jinja2 and python3-yaml (Debian).
"""
import argparse
import copy
import json
import os
import shlex
import sys

import jinja2
import yaml


def deep_merge(base, over):
    if not isinstance(base, dict) or not isinstance(over, dict):
        return copy.deepcopy(over)
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if k in out else copy.deepcopy(v)
    return out


def load_yaml(path, default=None):
    if not os.path.exists(path):
        return default
    with open(path) as f:
        doc = yaml.safe_load(f)
    return default if doc is None else doc


def find_services(paths):
    found = {}
    for root in paths:
        if not os.path.isdir(root):
            continue
        for name in sorted(os.listdir(root)):
            if name.startswith(('_', '.')) or name in found:
                continue
            if os.path.isfile(os.path.join(root, name, 'deploy', 'service.yaml')):
                found[name] = os.path.join(root, name)
    return found


def build_context(workspace, services):
    layout = load_yaml(os.path.join(workspace, 'layout.yaml'), {})
    layout = copy.deepcopy(layout)
    layout['machine-list'] = {m['hostname']: m for m in layout.get('machine-list', [])}
    overrides = load_yaml(os.path.join(workspace, 'services-configuration.yaml'), {})
    cfg = {'layout': layout}
    for name, sdir in services.items():
        defaults = load_yaml(os.path.join(sdir, 'config', name + '.yaml'), {})
        cfg[name] = deep_merge(defaults, overrides.get(name) or {})
    return cfg


class Recorder:
    """Collects undefined values that a template printed."""
    def __init__(self):
        self.printed = []

    def undefined_class(self):
        rec = self

        class RecordingUndefined(jinja2.Undefined):
            def __str__(self):
                rec.printed.append(self._undefined_name or '?')
                return ''
        return RecordingUndefined


def check_manifest(text, where, problems):
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as e:
        problems.append(f'{where}: not valid YAML: {e}')
        return
    if not any(d is not None for d in docs):
        problems.append(f'{where}: no YAML document')
    for i, d in enumerate(docs):
        if d is None:
            continue
        if not isinstance(d, dict):
            problems.append(f'{where}: document {i} is not a map')
            continue
        meta = d.get('metadata') or {}
        for key, val in (('apiVersion', d.get('apiVersion')), ('kind', d.get('kind')),
                         ('metadata.name', meta.get('name') if isinstance(meta, dict) else None)):
            if not val:
                problems.append(f'{where}: document {i} has no {key}')


def render_dir(deploy_dir, names, context, out_dir, label, problems):
    """Renders each NAME from NAME.template in deploy_dir with `context`."""
    for name in names:
        src = os.path.join(deploy_dir, name + '.template')
        where = f'{label}/{name}'
        if not os.path.isfile(src):
            problems.append(f'{where}: {name}.template is missing')
            continue
        rec = Recorder()
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(deploy_dir),
                                 undefined=rec.undefined_class())
        # paiplan's own filter (docs/security.md), as paiplan defines it.
        env.filters['shell_quote'] = lambda v: shlex.quote(str(v))
        try:
            text = env.get_template(name + '.template').render(**context)
        except jinja2.TemplateError as e:
            problems.append(f'{where}: render failed: {type(e).__name__}: {e}')
            continue
        for u in rec.printed:
            problems.append(f'{where}: printed an undefined value ({u})')
        if out_dir:
            path = os.path.join(out_dir, label, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, 'w') as f:
                f.write(text)
        if name.endswith('.yaml') and not name.endswith('-values.yaml'):
            check_manifest(text, where, problems)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument('--workspace', required=True)
    ap.add_argument('--catalogue', default=os.path.join(here, '..', '..', 'services'))
    ap.add_argument('--out', default='')
    ap.add_argument('--dump-context', default='')
    args = ap.parse_args()

    services = find_services([os.path.join(args.workspace, 'services'), args.catalogue])
    cluster_cfg = build_context(args.workspace, services)
    if args.dump_context:
        with open(args.dump_context, 'w') as f:
            json.dump({'cluster_cfg': cluster_cfg}, f, indent=2, sort_keys=True)

    problems = []
    rendered = 0
    for name, sdir in services.items():
        deploy = os.path.join(sdir, 'deploy')
        spec = load_yaml(os.path.join(deploy, 'service.yaml'), {})
        templates = spec.get('template-list') or []
        render_dir(deploy, templates, {'cluster_cfg': cluster_cfg}, args.out, name, problems)
        rendered += len(templates)

    # A role package in the workspace's roles/ replaces the built-in one.
    roles = {}
    for roles_dir in (os.path.join(args.workspace, 'roles'), os.path.join(args.catalogue, '_roles')):
        for role in sorted(os.listdir(roles_dir)) if os.path.isdir(roles_dir) else []:
            roles.setdefault(role, os.path.join(roles_dir, role))
    # roles/common/ is part of every role's package (a role's own file wins).
    common = roles.get('common')
    for role, rdir in sorted(roles.items()):
        names = sorted(f[:-len('.template')] for f in os.listdir(rdir) if f.endswith('.template'))
        shared = sorted(f[:-len('.template')] for f in os.listdir(common) if f.endswith('.template')
                        and f[:-len('.template')] not in names) if common and role != 'common' else []
        for host, m in cluster_cfg['layout']['machine-list'].items():
            if m.get('k8s-role') != role:
                continue
            ctx = {'cluster_cfg': cluster_cfg, 'host': m}
            render_dir(rdir, names, ctx, args.out, f'_roles/{role}/{host}', problems)
            render_dir(common, shared, ctx, args.out, f'_roles/{role}/{host}', problems)
            rendered += len(names) + len(shared)

    for p in problems:
        print(p)
    print(f'rendered {rendered} files of {len(services)} services; {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
