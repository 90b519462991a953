"""The committed configuration and policy samples are up to date."""

import pathlib

from oslo_config import cfg
from oslo_config import generator as config_generator
from oslo_policy import generator as policy_generator

ETC = pathlib.Path(__file__).resolve().parents[3] / 'etc' / 'trio2o'
HINT = 'out of date: run "tox -e {}" and commit the result'


def test_configuration_sample_is_up_to_date(tmp_path):
    output = tmp_path / 'trio2o.conf.sample'

    config_generator.main([
        '--config-file', str(ETC / 'trio2o-config-generator.conf'),
        '--output-file', str(output)])

    committed = (ETC / 'trio2o.conf.sample').read_text()
    assert output.read_text() == committed, HINT.format('genconfig')


def test_configuration_sample_documents_every_group():
    sample = (ETC / 'trio2o.conf.sample').read_text()

    for group in ('[DEFAULT]', '[api]', '[database]', '[pods]',
                  '[scheduler]', '[nova]', '[keystone_authtoken]', '[cors]',
                  '[oslo_middleware]', '[oslo_policy]'):
        assert group in sample
    assert '#auth_strategy = keystone' in sample


def test_policy_sample_is_up_to_date(tmp_path):
    output = tmp_path / 'policy.yaml.sample'

    policy_generator.generate_sample(
        ['--config-file', str(ETC / 'trio2o-policy-generator.conf'),
         '--output-file', str(output)], conf=cfg.ConfigOpts())

    committed = (ETC / 'policy.yaml.sample').read_text()
    assert output.read_text() == committed, HINT.format('genpolicy')
