# Sum bats' TAP output into the plain line CI reads last:
# "N passed, N failed, N skipped"; fail when anything failed or nothing
# passed.
{ print }
/^ok .* # skip/ { s++; next }
/^ok / { p++ }
/^not ok / { f++ }
END {
	printf "%d passed, %d failed, %d skipped\n", p, f, s
	exit (f > 0 || p == 0)
}
