/*
 * services: the table of services pk-relay can serve, by name.  A new
 * service is one file defining a struct service and one line here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "relay.h"

extern const struct service ca_service;
extern const struct service chat_service;
extern const struct service e2e_service;
extern const struct service e2e_upload_service;
extern const struct service echo_service;
extern const struct service keymanager_service;
extern const struct service vault_service;

static const struct service *const services[] = {
    &ca_service,
    &chat_service,
    &e2e_service,
    &e2e_upload_service,
    &echo_service,
    &keymanager_service,
    &vault_service,
};

#define NSERVICES (sizeof(services) / sizeof(services[0]))

const struct service *
service_find(const char *name)
{
	size_t i;

	for (i = 0; i < NSERVICES; i++)
		if (strcmp(services[i]->name, name) == 0)
			return services[i];
	return NULL;
}

/* The names, space-separated, for --help. */
void
service_names(char *buf, size_t size)
{
	size_t i, n = 0;
	int r;

	buf[0] = '\0';
	for (i = 0; i < NSERVICES && n < size; i++) {
		r = snprintf(
		    buf + n, size - n, "%s%s", i ? " " : "", services[i]->name);
		if (r < 0)
			break;
		n += (size_t)r;
	}
}

_Static_assert(NSERVICES <= 32, "relay_ctx's hardened: one bit a service");

unsigned
service_index(const struct service *svc)
{
	unsigned i;

	for (i = 0; i < NSERVICES && services[i] != svc; i++)
		;
	return i;
}

void **
services_alloc(void)
{
	void **states;
	size_t i;

	if ((states = calloc(NSERVICES, sizeof(*states))) == NULL)
		return NULL;
	for (i = 0; i < NSERVICES; i++)
		if (services[i]->state_size > 0 &&
		    (states[i] = calloc(1, services[i]->state_size)) == NULL) {
			services_free(states);
			return NULL;
		}
	return states;
}

void
services_free(void **states)
{
	size_t i;

	if (states == NULL)
		return;
	for (i = 0; i < NSERVICES; i++)
		free(states[i]);
	free(states);
}

void *
service_state(void **states, const struct service *svc)
{
	return states[service_index(svc)];
}

const struct service_flag *
service_flag(size_t k, const struct service **svc)
{
	const struct service_flag *f;
	size_t i;

	for (i = 0; i < NSERVICES; i++)
		for (f = services[i]->flags; f != NULL && f->name != NULL; f++)
			if (k-- == 0) {
				if (svc != NULL)
					*svc = services[i];
				return f;
			}
	return NULL;
}
