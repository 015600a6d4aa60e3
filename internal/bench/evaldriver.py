# The native side of the eval100 workload: what `wasmbox test` does, as a
# plain-Python loop. Usage: python3 evaldriver.py EVAL.py CASES.json
import json
import sys

eval_path, cases_path = sys.argv[1], sys.argv[2]
namespace = {"__name__": "eval_module"}
with open(eval_path) as f:
    exec(compile(f.read(), eval_path, "exec"), namespace)
evaluate = namespace["evaluate"]
with open(cases_path) as f:
    cases = json.load(f)

passed = 0
for case in cases:
    if "args" in case or "kwargs" in case:
        args, kwargs = case.get("args", []), case.get("kwargs", {})
    else:
        args, kwargs = [case["input"]], {}
    # Results are compared as JSON values, as the eval tester does.
    actual = json.loads(json.dumps(evaluate(*args, **kwargs)))
    if actual == case["expected"]:
        passed += 1
print(f"{passed}/{len(cases)} passed")
