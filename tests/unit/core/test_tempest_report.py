"""Reading tempest's output and comparing two runs."""

import re

from trio2o_core.testing import tempest

POD = """\
{0} tempest.api.compute.servers.test_a.A.test_one [0.1s] ... ok
{1} tempest.api.compute.servers.test_a.A.test_two[id-1,smoke] [0.2s] ... ok
{0} tempest.api.image.v2.test_b.B.test_three ... SKIPPED: no
{1} setUpClass (tempest.api.compute.admin.test_c.C) ... FAILED
"""
GATEWAY = """\
{0} tempest.api.compute.servers.test_a.A.test_one [0.1s] ... ok
{1} tempest.api.compute.servers.test_a.A.test_two[id-1,smoke] [0.2s] ... FAILED
{0} tempest.api.image.v2.test_b.B.test_three ... SKIPPED: no
"""


def test_results_name_tests_and_class_fixtures() -> None:
    totals = tempest.Totals(2, 1, 1, POD)

    assert totals.results() == {
        'tempest.api.compute.servers.test_a.A.test_one': 'ok',
        'tempest.api.compute.servers.test_a.A.test_two': 'ok',
        'tempest.api.image.v2.test_b.B.test_three': 'SKIPPED',
        'tempest.api.compute.admin.test_c.C.setUpClass': 'FAILED'}
    assert totals.names('FAILED') == {
        'tempest.api.compute.admin.test_c.C.setUpClass'}


def test_compare_counts_per_module_and_lists_what_differs() -> None:
    report = tempest.compare(tempest.Totals(2, 1, 1, POD),
                             tempest.Totals(1, 1, 1, GATEWAY))

    assert '| compute.servers.test_a | 2/0/0 | 1/1/0 |' in report
    assert '| compute.admin.test_c | 0/1/0 | 0/0/0 |' in report
    assert '| image.v2.test_b | 0/0/1 | 0/0/1 |' in report
    assert '| total | 2/1/1 | 1/1/1 |' in report
    assert report.endswith(
        '2 tests differ (pod -> gateway):\n'
        '  tempest.api.compute.admin.test_c.C.setUpClass: FAILED -> '
        'not run\n'
        '  tempest.api.compute.servers.test_a.A.test_two: ok -> FAILED')


def test_every_exclusion_has_a_reason_and_is_excluded() -> None:
    excluded = re.compile(tempest.excluded())
    for regex, reason in tempest.COMPUTE_EXCLUSIONS:
        assert reason
        assert re.compile(regex).pattern in excluded.pattern
    assert excluded.search('tempest.api.compute.servers.test_server_addresses'
                           '.ServerAddressesTestJSON.test_list_server_'
                           'addresses')
    assert not excluded.search('tempest.api.compute.servers.test_server_'
                               'addresses.ServerAddressesTestJSON.test_list_'
                               'server_addresses_by_network')
    assert re.search(tempest.suites('full'),
                     'tempest.api.image.v2.test_images.X.test_y')
    assert not re.search(tempest.suites('full'),
                         'tempest.api.volume.test_volumes_get.X.test_y')


def test_modules_match_whole_modules_only() -> None:
    regex = re.compile(tempest.modules([
        'compute.admin.test_aggregates_negative',
        'tempest.api.image.v2.test_images_dependency']))

    assert regex.match('tempest.api.compute.admin.test_aggregates_negative.'
                       'AggregatesAdminNegativeTestJSON.test_x')
    assert regex.match('tempest.api.image.v2.test_images_dependency.'
                       'ImageDependencyTests.test_y')
    assert not regex.match('tempest.api.compute.admin.test_aggregates.'
                           'AggregatesAdminTestJSON.test_z')
    assert not regex.match('tempest.api.compute.admin.test_aggregates_'
                           'negativeX.C.test')
