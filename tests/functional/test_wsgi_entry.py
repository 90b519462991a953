"""The WSGI entry point loads the same pipelines as trio2o-api."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = '''
import json, webob
from trio2o_core.wsgi.api import application
out = {}
for path, headers in (('/admin', {}), ('/admin/v1/pods', {}),
                      ('/admin/v1/pods', {'X-Auth-Token': 'u:p',
                                          'X-Roles': 'admin'})):
    response = webob.Request.blank(path, headers=headers).get_response(
        application)
    out[path + str(len(headers))] = [response.status_int, response.json]
response = webob.Request.blank(
    '/admin', headers={'Origin': 'http://dash.example'}).get_response(
    application)
out['cors'] = response.headers.get('Access-Control-Allow-Origin')
print(json.dumps(out))
'''


def test_wsgi_application_serves_the_admin_api(tmp_path: Path) -> None:
    conf = tmp_path / 'trio2o.conf'
    conf.write_text(f'''[DEFAULT]
state_path = {tmp_path}
auth_strategy = noauth
enabled_services = admin
[cors]
allowed_origin = http://dash.example
''')
    env = {**os.environ, 'TRIO2O_CONFIG_FILES': str(conf)}
    subprocess.run([sys.executable, '-m', 'trio2o_core.cmd.manage',
                    '--config-file', str(conf), 'db', 'sync'], check=True,
                   env=env, capture_output=True)
    result = subprocess.run([sys.executable, '-c', SCRIPT], env=env,
                            capture_output=True, text=True, check=True)
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out['/admin0'][0] == 200
    assert out['/admin0'][1]['versions'][0]['id'] == 'v1'
    assert out['/admin/v1/pods0'][0] == 401
    assert out['/admin/v1/pods2'] == [200, {'pods': []}]
    # [cors] comes from the same files as everything else
    assert out['cors'] == 'http://dash.example'
