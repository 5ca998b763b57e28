"""What flowc's runtime needs to run Kestra's scripts plugin (io.kestra.plugin.scripts.*) as
local processes: the languages and what each adds to the environment (`languages`), the files
a `Script` task's body is written to (`script_files`), the working directory and the output
directory (`workdir`), `kestra://` URIs in commands made local files (`uris`), namespace files
(`namespace_files`), the command line (`command`), the process environment (`environment`),
the notice for a container that is not used (`runners`), the process itself (`process`), the
`::{...}::` protocol in its output (`protocol`), and one whole run with its outputs (`execute`).

The tasks themselves are in runtime/tasks/scripts.py.
"""
