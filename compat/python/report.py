"""One line per feature on stdout, read by the JUnit suite (pgwire CompatibilitySuiteTest):
RESULT <feature> PASS|FAIL <detail>."""
import sys
import traceback


def feature(name):
    def wrap(fn):
        def run(*args):
            try:
                detail = fn(*args)
                print("RESULT %s PASS %s" % (name, detail or ""), flush=True)
                return True
            except Exception as e:  # every failure is reported, none stops the app
                text = " ".join(str(e).split())[:300]
                print("RESULT %s FAIL %s: %s" % (name, type(e).__name__, text), flush=True)
                traceback.print_exc(file=sys.stderr)
                return False
        run.feature = name
        return run
    return wrap


def check(condition, what):
    if not condition:
        raise AssertionError(what)
