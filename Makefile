.PHONY: demo test bench

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

bench:
	.venv/bin/curvehouse bench $(BENCH_ARGS)
