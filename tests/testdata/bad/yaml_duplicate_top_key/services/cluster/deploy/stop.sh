#!/bin/bash
echo stop
