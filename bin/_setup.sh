# Shared by bin/serve and bin/test: a virtualenv with the pinned dependencies.
# Re-installs only when a requirements file changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.requirements.sha256
wanted=$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
  echo "$wanted" > "$stamp"
fi
# The Welsh catalogue is compiled here (.mo files are generated, never committed),
# and again only when its .po is newer than the compiled file.
for po in translations/*/LC_MESSAGES/messages.po; do
  [ -e "$po" ] || continue
  if [ ! -e "${po%.po}.mo" ] || [ "$po" -nt "${po%.po}.mo" ]; then
    .venv/bin/python -m core.catalogue compile >/dev/null
    break
  fi
done
