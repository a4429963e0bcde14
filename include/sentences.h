/*
 * sentences.h - splitting text into sentences.  Survives abbreviations
 * ("e.g.", "Dr.", "Inc."), URLs, e-mail addresses, numbers ("3.5", "10 a.m."),
 * lines wrapped mid-sentence and bullet lists (each bullet is a sentence).
 */
#ifndef KITH_SENTENCES_H
#define KITH_SENTENCES_H

#include <glib.h>

/* Returns a new GPtrArray of char* (free function set), each sentence
 * trimmed and with internal whitespace runs collapsed to one space. */
GPtrArray *sentences_split(const char *text);

#endif
