/*
 * bench/c/write_trigger.c: two C row triggers for bench/write_path.sh, to
 * measure what an optional C sync trigger would cost (issue 18; design in
 * docs/architecture.md, "An optional C trigger"). Bench only: not part of pleat.
 *  - bench_c_empty(): returns the row unchanged: the call cost of any C trigger.
 *  - bench_c_ab(): sets ab := b || '-' || a on bench/sql/setup.sql's table, the
 *    bench migration's `up`, with the columns found by name once per statement:
 *    a lower bound for a C trigger that computes `up` (a general one would
 *    evaluate the planned expression instead of this hand-written concatenation).
 * Built by write_path.sh against the PostgreSQL 15 server headers.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(bench_c_empty);
PG_FUNCTION_INFO_V1(bench_c_ab);

static HeapTuple
new_row(TriggerData *td)
{
	return TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
}

Datum
bench_c_empty(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "bench_c_empty: not called as a trigger");
	return PointerGetDatum(new_row(td));
}

Datum
bench_c_ab(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	TupleDesc	desc;
	HeapTuple	row;
	int		   *cols = (int *) fcinfo->flinfo->fn_extra;	/* a, b, ab */
	bool		a_null, b_null;
	Datum		a, b, ab;
	bool		ab_null = false;
	char		num[16];

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "bench_c_ab: not called as a trigger");
	desc = RelationGetDescr(td->tg_relation);
	row = new_row(td);
	if (cols == NULL)
	{
		cols = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt, 3 * sizeof(int));
		cols[0] = SPI_fnumber(desc, "a");
		cols[1] = SPI_fnumber(desc, "b");
		cols[2] = SPI_fnumber(desc, "ab");
		if (cols[0] <= 0 || cols[1] <= 0 || cols[2] <= 0)
			elog(ERROR, "bench_c_ab: the table needs columns a, b and ab");
		fcinfo->flinfo->fn_extra = cols;
	}
	a = SPI_getbinval(row, desc, cols[0], &a_null);
	b = SPI_getbinval(row, desc, cols[1], &b_null);
	if (a_null || b_null)
	{
		ab = (Datum) 0;			/* b || '-' || a is NULL when either is */
		ab_null = true;
	}
	else
	{
		text	   *bt = DatumGetTextPP(b);
		int			blen = VARSIZE_ANY_EXHDR(bt);
		int			nlen;
		text	   *out;

		nlen = snprintf(num, sizeof(num), "%d", DatumGetInt32(a));
		out = (text *) palloc(VARHDRSZ + blen + 1 + nlen);
		SET_VARSIZE(out, VARHDRSZ + blen + 1 + nlen);
		memcpy(VARDATA(out), VARDATA_ANY(bt), blen);
		VARDATA(out)[blen] = '-';
		memcpy(VARDATA(out) + blen + 1, num, nlen);
		ab = PointerGetDatum(out);
	}
	return PointerGetDatum(heap_modify_tuple_by_cols(row, desc, 1, &cols[2], &ab, &ab_null));
}
