#!/usr/bin/env bash
# Deployability to AWS, without AWS and without Docker (`make test` runs this as its "checks" tier):
#   cfn-lint            template.yaml against the CloudFormation resource specs
#   sam validate --lint the SAM transform plus SAM's own cfn-lint pass
#   asl-validator       every statemachines/*.asl.json (cfn-lint does not look inside DefinitionUri files),
#                       with its DefinitionSubstitutions replaced by plausible values first
#   sam build           --build-in-source (no container), then the artifacts are inspected: every function's
#                       handler module, the layer's shared package and dependencies, and every wheel in the
#                       layer loadable by the Lambda runtime (architecture, Python ABI, glibc of its OS)
# The tools are installed into .cache on first use (pinned; a no-op when already there).
# One line per check with its time; a failed check prints its tool's output; non-zero exit if any failed.
set -euo pipefail
cd "$(dirname "$0")/../.."

SAM_SPEC='aws-sam-cli>=1.150,<2'
ASL_SPEC='asl-validator@^4'
SAM_VENV=.cache/venvs/sam
NODE_PREFIX=.cache/node
SAM=$SAM_VENV/bin/sam
ASL=$NODE_PREFIX/node_modules/.bin/asl-validator
PY=.venv/bin/python
CFN_LINT=.venv/bin/cfn-lint

# Hermetic: nothing here talks to an AWS account, whatever the caller's profile says.
unset AWS_PROFILE AWS_SESSION_TOKEN
export AWS_DEFAULT_REGION=us-east-1 AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=checks AWS_SECRET_ACCESS_KEY=checks AWS_EC2_METADATA_DISABLED=true
export SAM_CLI_TELEMETRY=0

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

for tool in "$PY" "$CFN_LINT"; do
  [[ -x $tool ]] || { echo "checks: $tool is missing; run \`make install\` first" >&2; exit 1; }
done

now_us() { local t=${EPOCHREALTIME//[.,]/}; echo "$((10#$t))"; }
seconds_since() { local d=$(( $(now_us) - $1 )); printf '%d.%d' $((d / 1000000)) $((d % 1000000 / 100000)); }

failed=0
last_rc=0
n=0
# check <label> <command...>: runs the command (in the background so that `set -e` holds inside functions),
# prints "ok"/"FAIL" with the time, and the command's output when it failed.
check() {
  local label=$1; shift
  local log=$WORK/check-$((++n)).log start rc=0
  start=$(now_us)
  "$@" >"$log" 2>&1 &
  wait $! || rc=$?
  last_rc=$rc
  if ((rc == 0)); then
    printf '  ok    %-44s %6ss\n' "$label" "$(seconds_since "$start")"
  else
    failed=1
    printf '  FAIL  %-44s %6ss  (exit %d)\n' "$label" "$(seconds_since "$start")" "$rc"
    sed 's/^/        | /' "$log"
  fi
}

# --- tools ----------------------------------------------------------------------------------------------
install_sam() {
  if [[ -x $SAM && "$(cat "$SAM_VENV/.spec" 2>/dev/null)" == "$SAM_SPEC" ]] && "$SAM" --version >/dev/null; then
    return 0
  fi
  if ! "$SAM_VENV/bin/python" -c '' 2>/dev/null; then
    python3 -m venv --clear "$SAM_VENV"
  fi
  "$SAM_VENV/bin/pip" install --quiet --disable-pip-version-check "$SAM_SPEC"
  "$SAM" --version
  echo "$SAM_SPEC" >"$SAM_VENV/.spec"
}

install_asl() {
  if [[ -x $ASL && "$(cat "$NODE_PREFIX/.spec" 2>/dev/null)" == "$ASL_SPEC" ]]; then
    return 0
  fi
  mkdir -p "$NODE_PREFIX"
  npm install --prefix "$NODE_PREFIX" --no-audit --no-fund --loglevel=error "$ASL_SPEC"
  "$ASL" --version
  echo "$ASL_SPEC" >"$NODE_PREFIX/.spec"
}

# The Python helper: reads template.yaml with the local cloud's loader (short-form tags kept as data).
cat >"$WORK/helper.py" <<'PYTHON'
import json
import re
import sys
from pathlib import Path

from localcloud import template as tpl

REGION, ACCOUNT = "us-east-1", "123456789012"
TEMPLATE = tpl.load(Path("template.yaml"))
RESOURCES = TEMPLATE["Resources"]
GLOBAL_FN = TEMPLATE.get("Globals", {}).get("Function", {})
PLACEHOLDER = re.compile(r"\$\{([^}]+)\}")
# The OS under each Lambda Python runtime: Amazon Linux 2 (glibc 2.26) up to python3.11,
# Amazon Linux 2023 (glibc 2.34) from python3.12.
LAMBDA_GLIBC = {f"python3.{m}": (2, 26) for m in range(8, 12)} | {f"python3.{m}": (2, 34) for m in range(12, 15)}
MACHINE = {"x86_64": "x86_64", "arm64": "aarch64"}
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}


def of_type(*types):
    return {name: res for name, res in RESOURCES.items() if res["Type"] in types}


def arn(service, resource, sep=":"):
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}{sep}{resource}" if service != "s3" else f"arn:aws:s3:::{resource}"


def stand_in(value):
    """A plausible value for one DefinitionSubstitutions entry, as CloudFormation would resolve it."""
    if isinstance(value, (str, int, float, bool)):
        return str(value)
    generic = arn("lambda", "function:placeholder")
    if not isinstance(value, dict) or len(value) != 1:
        return generic
    (fn, arg), = value.items()
    if fn == "Ref" and arg in TEMPLATE.get("Parameters", {}):
        return str(TEMPLATE["Parameters"][arg].get("Default", "placeholder"))
    if fn not in {"Ref", "Fn::GetAtt"}:
        return generic
    name, attr = (arg, "Ref") if fn == "Ref" else (arg[0], arg[1])
    kind = RESOURCES.get(name, {}).get("Type", "")
    if kind in {"AWS::Serverless::Function", "AWS::Lambda::Function"}:
        return name if attr == "Ref" else arn("lambda", f"function:{name}")
    if kind == "AWS::SQS::Queue":
        return {"Ref": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}", "QueueUrl": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}",
                "QueueName": name}.get(attr, arn("sqs", name))
    if kind in {"AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"}:
        return arn("states", f"stateMachine:{name}")
    if kind == "AWS::SNS::Topic":
        return arn("sns", name)
    if kind in {"AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"}:
        return name if attr == "Ref" else arn("dynamodb", f"table/{name}")
    if kind == "AWS::S3::Bucket":
        return name if attr == "Ref" else arn("s3", name)
    return name if attr == "Ref" else generic


def asl(out_dir):
    """Writes each definition with its placeholders substituted (once per state machine using it)."""
    machines = of_type("AWS::Serverless::StateMachine")
    definitions = sorted(Path("statemachines").glob("*.asl.json"))
    for path in definitions:
        text = path.read_text("utf-8")
        users = [(name, res["Properties"]) for name, res in machines.items()
                 if isinstance(res["Properties"].get("DefinitionUri"), str)
                 and Path(res["Properties"]["DefinitionUri"]) == path]
        for name, props in users or [("unused", {})]:
            values = {key: stand_in(v) for key, v in props.get("DefinitionSubstitutions", {}).items()}
            generic = arn("lambda", "function:placeholder")
            resolved = PLACEHOLDER.sub(lambda m: json.dumps(values.get(m.group(1), generic))[1:-1], text)
            json.loads(resolved)
            target = Path(out_dir) / f"{name}.{path.name}"
            target.write_text(resolved, "utf-8")
            print(target)
    if not definitions:
        print("no statemachines/*.asl.json", file=sys.stderr)


def glibc_of(platform):
    """(major, minor) of glibc a linux wheel needs, or None for a tag Lambda cannot load."""
    if platform.startswith("manylinux_"):
        major, minor = platform.split("_")[1:3]
        return int(major), int(minor)
    return LEGACY_MANYLINUX.get(platform.split("_", 1)[0])


def wheel_tag_problem(tag, runtime, arch):
    interpreter, abi, platforms = tag.split("-")
    minor = int(runtime.removeprefix("python3."))
    if not any(p.startswith("py") or p == f"cp3{minor}"
               or (abi == "abi3" and p.startswith("cp3") and int(p[3:]) <= minor)
               for p in interpreter.split(".")):
        return f"{interpreter}-{abi} is not loadable by {runtime}"
    problems = []
    for platform in platforms.split("."):
        if platform == "any":
            return None
        if not platform.endswith(MACHINE[arch]):
            problems.append(f"{platform} is not {arch}")
            continue
        need = glibc_of(platform)
        if need is None:
            problems.append(f"{platform} is not a manylinux tag")
        elif need > LAMBDA_GLIBC[runtime]:
            have = ".".join(map(str, LAMBDA_GLIBC[runtime]))
            problems.append(f"{platform} needs glibc {need[0]}.{need[1]}, the {runtime} runtime's OS has {have}")
        else:
            return None
    return "; ".join(problems)


def verify_build(build_dir):
    build = Path(build_dir)
    errors = []
    if not (build / "template.yaml").is_file():
        errors.append("no built template.yaml")
    for name, res in of_type("AWS::Serverless::Function").items():
        module = res["Properties"].get("Handler", GLOBAL_FN.get("Handler", "app.handler")).rsplit(".", 1)[0]
        if not (build / name / f"{module.replace('.', '/')}.py").is_file():
            errors.append(f"{name}: no {module}.py in {build / name}")
    layers = of_type("AWS::Serverless::LayerVersion")
    for name, res in layers.items():
        python = build / name / "python"
        props = res["Properties"]
        required = ["shared/__init__.py", "pydantic/__init__.py"] if name == "SharedLayer" else []
        errors += [f"{name}: no python/{rel}" for rel in required if not (python / rel).is_file()]
        if (python / "shared").is_dir() and any((python / "shared").rglob("__pycache__")):
            errors.append(f"{name}: __pycache__ shipped in python/shared")
        runtimes = props.get("CompatibleRuntimes") or [GLOBAL_FN.get("Runtime", "python3.11")]
        archs = props.get("CompatibleArchitectures") or GLOBAL_FN.get("Architectures") or ["x86_64"]
        wheels = sorted(python.glob("*.dist-info/WHEEL"))
        for wheel in wheels:
            tags = [line.split(":", 1)[1].strip() for line in wheel.read_text().splitlines() if line.startswith("Tag:")]
            for runtime in runtimes:
                for arch in archs:
                    problems = [wheel_tag_problem(tag, runtime, arch) for tag in tags]
                    if all(problems):
                        dist = wheel.parent.name.removesuffix(".dist-info")
                        errors.append(f"{name}: {dist} ({', '.join(tags)}) cannot load on {runtime}/{arch}: "
                                      + " | ".join(dict.fromkeys(problems)))
        print(f"{name}: {len(wheels)} distributions checked for {', '.join(runtimes)} on {', '.join(archs)}")
    print(f"{len(of_type('AWS::Serverless::Function'))} functions, {len(layers)} layers in {build}")
    for error in errors:
        print("ERROR", error)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "runtime":
        print(GLOBAL_FN.get("Runtime", "python3.11"))
    elif command == "asl":
        asl(*args)
    elif command == "verify-build":
        verify_build(*args)
PYTHON
helper() { "$PY" "$WORK/helper.py" "$@"; }

# SAM's Python builders and the layer's Makefile call the runtime's interpreter (python3.11) and its pip
# from PATH; a pyenv shim that does not resolve does not count.
find_runtime_python() {
  local exe
  exe=$(helper runtime)
  "$exe" -m pip --version >/dev/null 2>&1 && return 0
  local dir
  for dir in "${PYENV_ROOT:-$HOME/.pyenv}/versions/${exe#python}"*/bin /usr/local/bin /usr/bin; do
    if [[ -x $dir/$exe ]] && "$dir/$exe" -m pip --version >/dev/null 2>&1; then
      PATH="$dir:$PATH"
      return 0
    fi
  done
  echo "checks: $exe (the template's runtime) is not on PATH; sam build needs it" >&2
  return 1
}

# --- the checks -------------------------------------------------------------------------------------------
check_asl() {
  local files=()
  helper asl "$WORK" >"$WORK/asl.list"
  mapfile -t files <"$WORK/asl.list"
  ((${#files[@]})) || { echo "no state machine definitions found"; return 1; }
  local args=()
  for f in "${files[@]}"; do args+=(--json-path "$f"); done
  "$ASL" "${args[@]}"
}

echo "deployability checks ($(date -u +%H:%M:%SZ))"
check "install SAM CLI ($SAM_SPEC)" install_sam
check "install asl-validator ($ASL_SPEC)" install_asl
check "cfn-lint template.yaml" "$CFN_LINT" template.yaml
check "sam validate --lint" "$SAM" validate --lint -t template.yaml
check "asl-validator statemachines/*.asl.json" check_asl
if find_runtime_python; then
  check "sam build --build-in-source (no Docker)" "$SAM" build --build-in-source --build-dir "$WORK/build" -t template.yaml
  if ((last_rc == 0)); then
    check "built artifacts: handlers, layer, wheels" helper verify-build "$WORK/build"
  fi
else
  failed=1
fi
echo "  tools: $("$SAM" --version 2>/dev/null || echo 'SAM CLI missing'), asl-validator $("$ASL" --version 2>/dev/null || echo missing), $("$CFN_LINT" --version)"
exit $failed
