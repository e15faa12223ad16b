/** threadbare workspace. */
package dev.threadbare.workspace;
