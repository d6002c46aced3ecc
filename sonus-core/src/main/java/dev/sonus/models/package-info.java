/**
 * Networks built from {@link dev.sonus.nn} layers whose state dicts map key by key onto
 * SpeechBrain's (CRDNN).
 */
package dev.sonus.models;
