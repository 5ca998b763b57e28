"""What flowc's runtime needs to run Kestra's core HTTP tasks (io.kestra.plugin.core.http.*)
over the standard library's http.client, as Kestra's HTTP client (Apache HttpClient 5) does:
the `options` (`options`, with its readers in `props`), the URL (`uri`), the request body
(`body`) and the whole request (`call`); the exchange itself (`exchange`: redirects and digest
authentication) with its parts: connections through proxies and TLS (`connection`), headers
(`headers`, `auth`), cancellation (`cancel`), network errors (`errors`) and logs (`logs`);
what is made of a response (`response`), and the names of downloaded files (`names`).

The tasks themselves are in runtime/tasks/http.py.
"""
