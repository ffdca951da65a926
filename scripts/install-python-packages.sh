#!/bin/sh
# The project and its Python packages into a virtual environment, editable:
#   install-python-packages.sh VENV SPEC      (SPEC: '.', '.[dev]' or '.[lab]')
# With uv when it can be had (on PATH, or from PyPI into the environment in a few seconds):
# it installs several times faster than pip and shows its progress. Otherwise with pip,
# whose own output shows the progress. PYTHON names the interpreter (default python3).
set -eu
venv=$1
spec=$2
python=${PYTHON:-python3}

# Without pip: creating it with pip takes seconds, and uv installs pip far faster.
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv --without-pip "$venv"
fi

uv=$(command -v uv || true)
if [ -z "$uv" ] && [ -x "$venv/bin/uv" ]; then
  uv=$venv/bin/uv
fi
if [ -z "$uv" ]; then
  echo "installing uv (a fast installer for the packages) ..."
  if "$python" -m pip --python "$venv/bin/python" install --quiet uv >/dev/null 2>&1; then
    uv=$venv/bin/uv
  else
    echo "uv could not be installed: installing with pip (a few minutes)"
  fi
fi

if [ -n "$uv" ]; then
  echo "installing the Python packages of $spec with uv ..."
  # pip too: the environment then has the usual .venv/bin/pip.
  if "$uv" pip install --python "$venv/bin/python" pip -e "$spec"; then
    exit 0
  fi
  echo "uv failed: trying pip" >&2
fi
"$venv/bin/python" -m pip --version >/dev/null 2>&1 || "$venv/bin/python" -m ensurepip --default-pip >/dev/null
exec "$venv/bin/python" -m pip install --disable-pip-version-check --progress-bar on -e "$spec"
