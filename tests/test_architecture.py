"""The rooms and their floors: data flows one way (view or API → operation → models → database).

Every module of workflow/ sits on a floor; it may import modules on its own floor or below, never
above ("no import runs back up"), and no room imports another room's views. The signing library
imports neither Flask nor the database. Read from the source itself (imports inside functions
count too), so a new file that breaks the rule fails here.
"""
import ast
import re
from pathlib import Path

import pytest

WORKFLOW = Path(__file__).resolve().parents[1] / 'workflow'

FOUNDATION, MODELS, POLICY, SERVICES, FORMS, VIEWS, APP = range(7)
FLOOR_NAMES = ['foundation', 'models', 'policy', 'services', 'forms', 'views', 'app']
FOUNDATION_MODULES = {
    'audit', 'config', 'dbsession', 'dbsetup', 'dbtypes', 'deadlines', 'errors', 'extensions', 'form_fields',
    'i18n', 'page_parts', 'pdfcheck', 'privatefiles', 'storage', 'timeutil', 'unit_of_work', 'vocabulary',
    'directory.tree'}
VIEW_MODULES = {'signing.public', 'signing.panel'}
APP_MODULES = {'', 'cli', 'models', 'web', 'ops.cli'}
# The one sanctioned way up: a job started by a bare RQ worker, outside any app, builds its app.
ALLOWED_UP = {('jobs.queue', '')}


def module_name(path):
    parts = list(path.relative_to(WORKFLOW).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts = parts[:-1]
    return '.'.join(parts)


MODULES = {module_name(path): path for path in WORKFLOW.rglob('*.py')}


def floor(name):
    parts = name.split('.')
    if name in APP_MODULES or parts[0] == 'demo':
        return APP
    if name in FOUNDATION_MODULES or name.startswith('signing.lib'):
        return FOUNDATION
    if name == 'policy':
        return POLICY
    if parts[-1] == 'models' or name == 'registers.numbering':
        return MODELS
    if parts[-1] == 'forms':
        return FORMS
    if 'views' in parts or parts[0] == 'api' or name in VIEW_MODULES:
        return VIEWS
    return SERVICES


def room(name):
    """The package a module belongs to ('' for the top-level modules)."""
    parts = name.split('.')
    return parts[0] if len(parts) > 1 or (WORKFLOW / parts[0]).is_dir() else ''


def _targets(name, node):
    if isinstance(node, ast.Import):
        return [a.name.removeprefix('workflow.') for a in node.names if a.name.startswith('workflow')]
    if node.level == 0:
        if not (node.module or '').startswith('workflow'):
            return []
        base = node.module.removeprefix('workflow').lstrip('.')
    else:
        package = name.split('.') if MODULES[name].name == '__init__.py' else name.split('.')[:-1]
        package = package[:len(package) - node.level + 1] if node.level > 1 else package
        base = '.'.join(package + ([node.module] if node.module else []))
    found = []
    for alias in node.names:
        candidate = f'{base}.{alias.name}'.strip('.')
        found.append(candidate if candidate in MODULES else base)
    return found


def imports_of(name):
    tree = ast.parse(MODULES[name].read_text())
    return {target for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
            for target in _targets(name, node) if target != name and target in MODULES}


@pytest.mark.nodb
def test_no_import_runs_back_up():
    upward = [f'{a} ({FLOOR_NAMES[floor(a)]}) -> {b} ({FLOOR_NAMES[floor(b)]})'
              for a in sorted(MODULES) for b in sorted(imports_of(a))
              if floor(b) > floor(a) and (a, b) not in ALLOWED_UP]
    assert upward == []


@pytest.mark.nodb
def test_no_room_imports_another_rooms_views():
    crossing = [f'{a} -> {b}' for a in sorted(MODULES) if floor(a) != APP for b in sorted(imports_of(a))
                if floor(b) == VIEWS and room(b) != room(a)]
    assert crossing == []


@pytest.mark.nodb
def test_the_signing_library_imports_neither_flask_nor_the_database():
    offending = []
    for name, path in MODULES.items():
        if name.startswith('signing.lib'):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    module = node.module if isinstance(node, ast.ImportFrom) else node.names[0].name
                    if getattr(node, 'level', 0) > 1 or (module or '').split('.')[0] in (
                            'flask', 'flask_babel', 'sqlalchemy', 'flask_sqlalchemy', 'workflow'):
                        offending.append(f'{name}: {module}')
    assert offending == []


@pytest.mark.nodb
def test_the_files_room_changes_work_files_and_signing_knows_none():
    """Only files/operations writes a file's status or timeline; signing imports nothing of files."""
    changes = re.compile(r'\b(file|incoming|source)\.(status|holder_user_id|holder_unit_id) = |FileEvent\(|Delivery\(')
    writers = sorted(name for name, path in MODULES.items() if changes.search(path.read_text())
                     and not name.startswith('files.operations') and name != 'files.models')
    assert writers == []
    assert sorted(f'{a} -> {b}' for a in MODULES if room(a) == 'signing' for b in imports_of(a)
                  if room(b) == 'files') == []


@pytest.mark.nodb
def test_the_rules_see_every_module():
    """A guard for the guard: the parser finds the imports it is meant to judge."""
    assert 'signing.operations' in imports_of('files.operations.signatures')
    assert 'files.operations.issuing' in imports_of('files.views.actions') or 'files.operations' in imports_of(
        'files.views.actions')
    assert floor('files.views.actions') == VIEWS and floor('files.operations.issuing') == SERVICES


def import_table():
    """Which room imports which, as the markdown table docs/architecture.md shows."""
    rooms = sorted({room(name) for name in MODULES} - {''})
    lines = ['| room | imports the rooms |', '|---|---|']
    for this in rooms:
        used = sorted({room(b) for a in MODULES if room(a) == this for b in imports_of(a)} - {'', this})
        lines.append(f"| `{this}/` | {', '.join(f'`{r}`' for r in used) or '—'} |")
    return '\n'.join(lines)


@pytest.mark.nodb
def test_the_architecture_page_shows_the_imports_as_they_are():
    page = (WORKFLOW.parent / 'docs' / 'architecture.md').read_text()
    assert import_table() in page, 'paste `python -m tests.test_architecture` into docs/architecture.md'


if __name__ == '__main__':
    print(import_table())
