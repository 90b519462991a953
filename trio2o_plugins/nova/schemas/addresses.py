"""Bodies of the fixed and floating IP actions (2.1-2.43)."""

from trio2o_plugins.nova.schemas import common

ADD_FIXED_IP = common.strict_object(
    {'networkId': {'type': ['string', 'number'],
                   'minLength': 1, 'maxLength': 36}},
    required=('networkId',))
REMOVE_FIXED_IP = common.strict_object(
    {'address': common.IP_ADDRESS}, required=('address',))
ADD_FLOATING_IP = common.strict_object(
    {'address': common.IP_ADDRESS, 'fixed_address': common.IP_ADDRESS},
    required=('address',))
REMOVE_FLOATING_IP = common.strict_object(
    {'address': common.IP_ADDRESS}, required=('address',))
