"""The API server's HTTP protocol: eventlet's, reading a common request
head without the email package.

The standard library reads a request's header lines with
:func:`http.client.parse_headers`, which hands them to the email
package's feed parser: most of what the server spends on reading a
request. A head whose request line is ``METHOD target HTTP/1.x`` and
whose lines are all plain ``Name: value`` fields (a token name, visible
ASCII, no line folding) is read here into the same
:class:`http.client.HTTPMessage`; any other head, and every error
answer, is left to the standard library's parser as before.
"""

from __future__ import annotations

import email.parser
import http.client
import re
from http import HTTPStatus

import eventlet.wsgi

#: the standard library's bounds on one header line and on their number
MAX_LINE = 65536
MAX_HEADERS = 100
#: a field line read here; any other goes to the email package
_FIELD = re.compile(r"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([\t\x20-\x7e]*)"
                    r"\r?\n")
_VERSIONS = {'HTTP/1.1': (1, 1), 'HTTP/1.0': (1, 0)}
#: the blank line that ends a head, and the end of input
_LAST_LINES = (b'\r\n', b'\n')
_ENDS = (*_LAST_LINES, b'')


class HttpProtocol(eventlet.wsgi.HttpProtocol):
    """eventlet's protocol, with :meth:`parse_request` taking the common
    head without the email package."""

    def parse_request(self) -> bool:
        """Parse the request line and the header lines, as the standard
        library does (same attributes, same error answers).

        :returns: whether the request may be served (when not, its error
            answer has been sent).
        """
        requestline = str(self.raw_requestline, 'iso-8859-1').rstrip('\r\n')
        words = requestline.split()
        if len(words) != 3 or words[2] not in _VERSIONS:
            return bool(super().parse_request())
        self.requestline = requestline
        self.command, path, self.request_version = words
        self.close_connection = not (
            _VERSIONS[self.request_version] >= (1, 1)
            and self.protocol_version >= 'HTTP/1.1')
        # as the standard library: no scheme-relative path ('//host')
        self.path = '/' + path.lstrip('/') if path.startswith('//') else path
        try:
            self.headers = self._read_head()
        except http.client.LineTooLong as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                            'Line too long', str(err))
            return False
        except http.client.HTTPException as err:
            self.send_error(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                            'Too many headers', str(err))
            return False
        conntype = self.headers.get('Connection', '').lower()
        if conntype == 'close':
            self.close_connection = True
        elif conntype == 'keep-alive' and self.protocol_version >= 'HTTP/1.1':
            self.close_connection = False
        expect = self.headers.get('Expect', '')
        if (expect.lower() == '100-continue'
                and self.protocol_version >= 'HTTP/1.1'
                and self.request_version >= 'HTTP/1.1'):
            return bool(self.handle_expect_100())
        return True

    def _read_head(self) -> http.client.HTTPMessage:
        """Read the header lines up to the blank one.

        :raises http.client.LineTooLong: a line over :data:`MAX_LINE`.
        :raises http.client.HTTPException: over :data:`MAX_HEADERS` lines.
        """
        lines = []
        while True:
            line = self.rfile.readline(MAX_LINE + 1)
            if len(line) > MAX_LINE:
                raise http.client.LineTooLong('header line')
            lines.append(line)
            if len(lines) > MAX_HEADERS:
                raise http.client.HTTPException(
                    f'got more than {MAX_HEADERS} headers')
            if line in _ENDS:
                break
        fields = []
        if line in _LAST_LINES:
            for raw in lines[:-1]:
                found = _FIELD.fullmatch(raw.decode('iso-8859-1'))
                if found is None:
                    break
                fields.append(found.groups())
            else:
                message = self.MessageClass()
                message._headers = fields
                message._payload = ''
                return message
        text = b''.join(lines).decode('iso-8859-1')
        return email.parser.Parser(_class=self.MessageClass).parsestr(text)
