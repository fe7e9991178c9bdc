#include "textflag.h"

// func prefetchRead(slot, folio, page uintptr, lines int)
TEXT ·prefetchRead(SB), NOSPLIT|NOFRAME, $0-32
	MOVQ slot+0(FP), AX
	PREFETCHT0 (AX)
	MOVQ folio+8(FP), AX
	TESTQ AX, AX
	JEQ page
	PREFETCHT0 (AX)
page:
	MOVQ page+16(FP), AX
	MOVQ lines+24(FP), CX
	TESTQ AX, AX
	JEQ done
	TESTQ CX, CX
	JLE done
loop:
	PREFETCHT0 (AX)
	ADDQ $64, AX
	DECQ CX
	JNZ loop
done:
	RET
