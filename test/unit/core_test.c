/* The CO-RE resolver on hand-made BTF. */
#include "unit.h"

void core_tests(void)
{
}
